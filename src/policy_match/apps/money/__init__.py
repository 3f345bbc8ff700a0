"""Money: benefits in bulk, 互斥组 (就高不重复), fiscal estimates, the 免申即享 roster."""
