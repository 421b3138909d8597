"""Spread one netlens run over a Spark cluster with RDD.pipe and --shard.

Each of N partitions runs one netlens process on shard K of N of the whole
input file (every executor needs the file and the tool on its PATH), so the
partitions' outputs together hold every input exactly once; the driver counts
them and writes the union.

    python3 examples/spark_shards.py TOOL INPUT_FILE OUTPUT_DIR [N] [MASTER]

`cargo xtask scale-demo` runs it with `local[2]` on a generated list of
prefixes and checks the union against one process's output.
"""

import sys

from pyspark import SparkContext


def main() -> None:
    tool, inputs, output = sys.argv[1], sys.argv[2], sys.argv[3]
    shards = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    master = sys.argv[5] if len(sys.argv) > 5 else "local[2]"
    sc = SparkContext(master, "netlens-shards")
    sc.setLogLevel("ERROR")
    # One element per partition: the shard number, fed to the command's stdin
    # and read back by the shell as K.
    shard_numbers = sc.parallelize([str(k) for k in range(1, shards + 1)], shards)
    command = (
        f"sh -c 'read k; exec {tool} --json --shard \"$k/{shards}\" "
        f"--input-file {inputs}'"
    )
    results = shard_numbers.pipe(command)
    results.saveAsTextFile(output)
    print(f"{results.count()} results in {output}")
    sc.stop()


if __name__ == "__main__":
    main()
