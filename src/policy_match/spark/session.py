"""A Spark session on this machine (``local[N]``): for trying the cluster route, the tests and
the benchmark. A cluster's session comes from its own platform (spark-submit, a notebook).

Offline and quiet: the driver binds to 127.0.0.1, the web UI is off, the Python workers run
this interpreter (so they import this very policy_match), shuffles use few partitions.
Decimal products are exact (``spark.sql.decimalOperations.allowPrecisionLoss=false``): by
default Spark rounds a product that needs more than 38 digits, and the SQL route would then
decide ``0.0000000001 × 0.0001 > 0`` false (docs/sql.md).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

EXACT_DECIMALS = ("spark.sql.decimalOperations.allowPrecisionLoss", "false")
JAVA_HOMES = ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64")


def local_session(cores: int = 2, shuffle_partitions: int = 4, app: str = "policy_match",
                  memory: str = "2g") -> SparkSession:
    """A ``local[cores]`` session (the active one, if a session is already running)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if "JAVA_HOME" not in os.environ:
        found = next((home for home in JAVA_HOMES if os.path.isdir(home)), None)
        if found is not None:
            os.environ["JAVA_HOME"] = found
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(f"local[{cores}]").appName(app)
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.default.parallelism", str(cores))
               .config("spark.driver.memory", memory)
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config(*EXACT_DECIMALS)
               .config("spark.python.worker.reuse", "true"))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
