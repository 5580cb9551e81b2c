#!/usr/bin/env python3
"""Hostile binary input for unionreg's receive functions, deterministic by seed.

Writes, into DIR, one binary COPY file per input (a single row of a single
field) for each type with a receive function (inn, ogrn, snils, card_number,
tally), and DIR/copy.sql: one COPY ... FROM 'file' (FORMAT binary) per file
into a one-column table of that type (fuzz_<type>).  Inputs are valid
encodings with bytes flipped, truncated, extended or replaced, a wrong
version byte, absurd counter counts, and random bytes.
"""
import argparse
import os
import random
import struct

HEADER = b'PGCOPY\n\xff\r\n\x00' + struct.pack('>ii', 0, 0)
SEEDS = {
    'inn': [7707083893, 500100732259],
    'ogrn': [1027700132195, 304500116000157],
    'snils': [11223344595, 100199800],
    'card_number': [2200000000000012, 4111111111111111],
}


def idtype(v):
    return bytes([1]) + struct.pack('>q', v)


def tally(values):
    return bytes([1]) + struct.pack('>i', len(values)) + b''.join(struct.pack('>q', v) for v in values)


def mutate(rng, b):
    b = bytearray(b)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        if op == 0 and b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            b = b[:rng.randint(0, len(b))]
        elif op == 2:
            b += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 3 and b:
            b[rng.randrange(len(b))] = rng.choice([0, 1, 2, 0x7f, 0x80, 0xff])
        elif op == 4 and len(b) >= 5:
            b[1:5] = struct.pack('>i', rng.choice([-1, 0, 43, 1 << 20, 0x7fffffff, -0x80000000]))
        else:
            b = bytearray(rng.randrange(256) for _ in range(rng.randint(0, 64)))
    return bytes(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--per-type', type=int, default=2000)
    ap.add_argument('dir')
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.dir, exist_ok=True)
    script = []
    for typ in ['inn', 'ogrn', 'snils', 'card_number', 'tally']:
        if typ == 'tally':
            seeds = [tally([3, 2] + [0] * 40), tally([]), tally([1] * 42), tally([2 ** 62] * 50)]
        else:
            seeds = [idtype(v) for v in SEEDS[typ]]
        for i in range(args.per_type):
            payload = rng.choice(seeds) if i < len(seeds) else mutate(rng, rng.choice(seeds))
            path = os.path.join(args.dir, '%s_%05d.bin' % (typ, i))
            with open(path, 'wb') as f:
                f.write(HEADER + struct.pack('>h', 1) + struct.pack('>i', len(payload)) + payload
                        + struct.pack('>h', -1))
            script.append("COPY fuzz_%s FROM '%s' (FORMAT binary);" % (typ, path))
    with open(os.path.join(args.dir, 'copy.sql'), 'w') as f:
        f.write('\n'.join(script) + '\n')


if __name__ == '__main__':
    main()
