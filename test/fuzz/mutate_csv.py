#!/usr/bin/env python3
"""A staging CSV with hostile rows: about a third of the rows get one or two
fields mutated (see gen_inputs.mutate), some fields emptied or swapped, some
rows duplicated.  Deterministic by seed; the header is kept."""
import argparse
import csv
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_inputs import mutate  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('csv_file')
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with open(args.csv_file, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    out = csv.writer(sys.stdout, lineterminator='\n', quoting=csv.QUOTE_ALL)
    out.writerow(rows[0])
    for row in rows[1:]:
        r = rng.random()
        if r < 0.30:
            for _ in range(rng.randint(1, 2)):
                i = rng.randrange(len(row))
                row[i] = mutate(rng, row[i])
        elif r < 0.33:
            row[rng.randrange(len(row))] = ''
        elif r < 0.35:
            i, j = rng.randrange(len(row)), rng.randrange(len(row))
            row[i], row[j] = row[j], row[i]
        out.writerow(row)
        if rng.random() < 0.01:
            out.writerow(row)


if __name__ == '__main__':
    main()
