"""Publishing: the 清单 (惠企政策兑现事项清单) and the 一表读懂 pages."""
