#!/usr/bin/env python3
"""Hostile inputs for unionreg's parsing functions, deterministic by seed.

Writes CSV rows (target, input) to stdout: for every target, valid seeds
mutated (characters inserted, deleted, replaced, chunks repeated, truncated,
scripts mixed) and random strings over a pool of ASCII, Cyrillic, combining
marks, invisible and astral characters.  No NUL (PostgreSQL text holds none).
"""
import argparse
import csv
import random
import sys

SEEDS = {
    'inn': ['7707083893', '500100732259', '0100000004', '7707083894'],
    'ogrn': ['1027700132195', '304500116000157', '10277001321951'],
    'snils': ['112-233-445 95', '11223344595', '00100199800'],
    'card_number': ['2200000000000012', '4111111111111111', '2200700000000009'],
    'tally': ['{members=3,working=2}', '{}', '{members=9223372036854775807}', '{ students = 1 , left=0 }'],
    'name_key': ['Иванова', 'Ёлкина-Петрова', 'Иванoва', 'Е\u0308лкина', 'О\u2019Нил', 'д\'Артаньян', 'Анна  Мария'],
    'email_ascii': ['info@школа.рф', 'a.b+c@example.com', 'user@xn--80atdl2c.xn--p1ai', 'Иван@пример.рф', 'x@[127.0.0.1]'],
    'stage_date': ['2024-02-29', '2023-02-28', '1900-01-01', '2199-12-31'],
    'stage_int': ['0', '42', '2147483647', '007'],
    'stage_bool': ['t', 'false', '1', 'да', 'Нет'],
}

POOL = (list('0123456789') * 4 + list('abcxyzABCXYZ') + list(' -_.,;:@+/\\\'"{}[]()=#%&*!?<>|~`^$\t\n\r')
        + list('абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙ')
        + ['\u0301', '\u0308', '\u200b', '\u200d', '\ufeff', '\u00a0', '\u2019', '\u0130', '\u0131', 'ß', 'ﬁ',
           '\u3000', '\ufffd', '\U0001F600', '\U00010348', '\u202e', '\u0000'.replace('\u0000', '\u0001'),
           '\u00ad', '\u2028', '٣', '①', 'Ⅻ', 'ｆ', 'ё', 'Ё', '\u0418\u0306'])


def mutate(rng, s):
    s = list(s)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(9)
        pos = rng.randint(0, len(s))
        if op == 0:
            s.insert(pos, rng.choice(POOL))
        elif op == 1 and s:
            del s[min(pos, len(s) - 1)]
        elif op == 2 and s:
            s[min(pos, len(s) - 1)] = rng.choice(POOL)
        elif op == 3 and s:
            a = rng.randint(0, len(s) - 1)
            b = rng.randint(a, min(len(s), a + 8))
            s[pos:pos] = s[a:b] * rng.choice([1, 2, 10, 200])
        elif op == 4:
            s = s[:pos]
        elif op == 5 and len(s) > 1:
            i = rng.randint(0, len(s) - 2)
            s[i], s[i + 1] = s[i + 1], s[i]
        elif op == 6:
            s = [' '] * rng.randint(1, 3) + s + [' '] * rng.randint(0, 3)
        elif op == 7:
            s = list(str(rng.choice([-1, 0, 10**12, 2**31, 2**63, 10**30])) ) + s
        else:
            s = s * rng.choice([2, 3, 50])
    # very large inputs have their own test; here breadth, not bulk
    return ''.join(s)[:4096]


def random_string(rng):
    n = rng.choice([0, 1, 2, 5, 10, 16, 30, 64, 300])
    return ''.join(rng.choice(POOL) for _ in range(n))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--per-target', type=int, default=10000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = csv.writer(sys.stdout, lineterminator='\n', quoting=csv.QUOTE_ALL)
    out.writerow(['target', 'input'])
    for target, seeds in SEEDS.items():
        for s in seeds:
            out.writerow([target, s])
        for i in range(args.per_target - len(seeds)):
            if i % 5 == 4:
                value = random_string(rng)
            else:
                value = mutate(rng, rng.choice(seeds))
            out.writerow([target, value])


if __name__ == '__main__':
    main()
