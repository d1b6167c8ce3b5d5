"""Compares a results.parquet, read with pyarrow, with the results.csv of the same grid: the
column names and order, the Parquet types (int64, float32, UTF-8 strings), the row count and
every value (float32 bit for bit against the CSV text parsed as float32)."""

import csv
import struct
import sys

import pyarrow as pa
import pyarrow.parquet as pq

FLOAT32 = {"train_loss", "train_acc", "val_loss", "val_acc"}
TEXT = {"reset", "condition"}


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def main(parquet_path, csv_path):
    table = pq.read_table(parquet_path)
    with open(csv_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    names = table.schema.names
    if names != header:
        sys.exit(f"FAIL: columns {names} != CSV header {header}")
    for field in table.schema:
        want = pa.float32() if field.name in FLOAT32 else pa.string() if field.name in TEXT else pa.int64()
        if field.type != want:
            sys.exit(f"FAIL: column {field.name} is {field.type}, expected {want}")
    if table.num_rows != len(rows):
        sys.exit(f"FAIL: {table.num_rows} Parquet rows, {len(rows)} CSV rows")
    if len(rows) == 0:
        sys.exit("FAIL: empty table")
    columns = {name: table.column(name).to_pylist() for name in names}
    checked = 0
    for i, row in enumerate(rows):
        for name, text in zip(names, row):
            value = columns[name][i]
            if name in FLOAT32:
                same = f32_bits(value) == f32_bits(float(text))
            elif name in TEXT:
                same = value == text
            else:
                same = value == int(text)
            if not same:
                sys.exit(f"FAIL: row {i} column {name}: Parquet {value!r}, CSV {text!r}")
            checked += 1
    print(f"   ok: pyarrow {pa.__version__} read {table.num_rows} rows x {len(names)} columns; "
          f"all {checked} values equal the CSV's")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
