#!/usr/bin/env python3
"""Deterministic synthetic union for unionreg: same seed and size, same files.

Writes stage_org.csv (the columns of unionreg.stage_org) into --out.
--scale 1.0 is the union's real size: 80 regions, some districts, ~2,300
territorial, ~72,000 primary and ~75,000 subdivision organizations.
"""
import argparse
import csv
import os
import random

REGION_NAMES = [
    "Алтайская краевая", "Амурская областная", "Архангельская межрегиональная", "Астраханская областная",
    "Белгородская областная", "Брянская областная", "Владимирская областная", "Волгоградская областная",
    "Вологодская областная", "Воронежская областная", "Московская городская", "Московская областная",
    "Санкт-Петербургская и Ленинградская областная", "Башкирская республиканская", "Татарстанская республиканская",
    "Свердловская областная", "Челябинская областная", "Новосибирская областная", "Омская областная",
    "Красноярская краевая", "Иркутская областная", "Приморская краевая", "Хабаровская краевая",
    "Ростовская областная", "Краснодарская краевая", "Ставропольская краевая", "Самарская областная",
    "Саратовская областная", "Пермская краевая", "Нижегородская областная", "Ёлкинская тестовая",
]
KINDS = [("school", 0.45), ("preschool", 0.33), ("supplementary", 0.08), ("professional", 0.06),
         ("higher", 0.02), ("science", 0.01), ("other", 0.05)]
SURNAMES = ["Иванова", "Петрова", "Смирнова", "Кузнецова", "Соколова", "Попова", "Лебедева", "Козлова",
            "Новикова", "Морозова", "Волкова", "Алексеева", "Ёлкина", "Фёдорова", "Михайлова"]
FIRST = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Пётр", "Иван"]
PATRON = ["Петровна", "Ивановна", "Сергеевна", "Александровна", "Николаевна", "Викторовна", ""]


def inn10(rng):
    d = [rng.randint(0, 9) for _ in range(9)]
    w = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    d.append(sum(a * b for a, b in zip(d, w)) % 11 % 10)
    return "".join(map(str, d))


def ogrn13(rng):
    p = "1" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return p + str(int(p) % 11 % 10)


def pick_kind(rng):
    x = rng.random()
    acc = 0.0
    for k, p in KINDS:
        acc += p
        if x < acc:
            return k
    return "other"


def composition_for(kind, rng):
    if kind in ("professional", "higher"):
        return rng.choice(["joint", "joint", "workers", "students"])
    if kind == "science":
        return "workers"
    return "workers"


class Gen:
    def __init__(self, seed, scale, base_year):
        self.rng = random.Random(seed)
        self.scale = scale
        self.base_year = base_year
        self.rows = []

    def chairman(self, row):
        r = self.rng.random()
        if r < 0.09:
            return  # empty chairman tab
        row["chairman_name"] = "%s %s %s" % (self.rng.choice(SURNAMES), self.rng.choice(FIRST),
                                            self.rng.choice(PATRON))
        row["chairman_name"] = row["chairman_name"].strip()
        if r > 0.125:
            y = self.rng.randint(2019, 2025)
            row["chairman_term_from"] = "%d-%02d-01" % (y, self.rng.randint(1, 12))
            row["chairman_term_to"] = "%d-%s" % (y + 5, row["chairman_term_from"][5:])
        row["chairman_released"] = self.rng.choice(["t", "f", "f", "да", "нет"])
        if self.rng.random() < 0.7:
            row["chairman_email"] = "chair%d@example.ru" % len(self.rows)
            row["chairman_email_consent"] = self.rng.choice(["t", "t", "f"])

    def add(self, **kw):
        row = {c: "" for c in COLUMNS}
        row.update({k: str(v) for k, v in kw.items() if v is not None})
        self.chairman(row)
        self.rows.append(row)
        return row["ext_id"]

    def build(self):
        rng = self.rng
        n_regions = max(2, round(80 * min(1.0, self.scale * 4))) if self.scale < 1 else 80
        self.add(ext_id="C", level="central", name="Общероссийский Профсоюз образования",
                 short_name="Профсоюз образования", inn=inn10(rng), ogrn=ogrn13(rng), valid_from="1990-01-01")
        # regions differ in size by two orders of magnitude (3k..200k members)
        weights = [rng.paretovariate(1.2) for _ in range(n_regions)]
        total_w = sum(weights)
        n_terr_total = round(2300 * self.scale)
        n_prim_total = round(72000 * self.scale)
        for r in range(n_regions):
            code = r + 1
            rid = "R%02d" % code
            base = REGION_NAMES[r % len(REGION_NAMES)]
            self.add(ext_id=rid, parent_ext_id="C", level="regional",
                     name="%s организация Профсоюза%s" % (base, "" if r < len(REGION_NAMES) else " %d" % code),
                     short_name=base, inn=inn10(rng), ogrn=ogrn13(rng), region_code=code,
                     valid_from="1991-01-01")
            share = weights[r] / total_w
            n_terr = max(1, round(n_terr_total * share))
            districts = []
            if r % 16 == 3:  # districts in a few regions
                for d in range(rng.randint(2, 4)):
                    did = "%s-D%d" % (rid, d + 1)
                    districts.append(self.add(ext_id=did, parent_ext_id=rid, level="district",
                                              name="Окружная организация %d (%s)" % (d + 1, base),
                                              short_name="Окружная %d" % (d + 1), region_code=code,
                                              valid_from="1991-06-01"))
            terrs = []
            for t in range(n_terr):
                tid = "%s-T%03d" % (rid, t + 1)
                parent = rng.choice(districts) if districts and rng.random() < 0.5 else rid
                terrs.append(self.add(ext_id=tid, parent_ext_id=parent, level="territorial",
                                      name="Территориальная организация № %d (%s)" % (t + 1, base),
                                      short_name="ТО %d" % (t + 1), inn=inn10(rng) if rng.random() < 0.8 else None,
                                      ogrn=ogrn13(rng) if rng.random() < 0.8 else None, region_code=code,
                                      valid_from="%d-01-01" % rng.randint(1992, 1999)))
            n_prim = max(1, round(n_prim_total * share))
            for p in range(n_prim):
                pid = "%s-P%05d" % (rid, p + 1)
                kind = pick_kind(rng)
                comp = composition_for(kind, rng)
                if kind in ("higher", "science") and rng.random() < 0.7:
                    parent = rid
                else:
                    parent = rng.choice(terrs)
                year = rng.randint(2000, 2024)
                emp = rng.randint(15, 150) if kind not in ("higher",) else rng.randint(500, 4000)
                stu = {"school": rng.randint(100, 1500), "preschool": rng.randint(30, 300),
                       "supplementary": rng.randint(50, 800), "professional": rng.randint(300, 3000),
                       "higher": rng.randint(2000, 30000)}.get(kind, 0)
                row_name = {"school": "МБОУ СОШ № %d", "preschool": "МБДОУ Детский сад № %d",
                            "supplementary": "МБУ ДО Дом творчества № %d", "professional": "ГБПОУ Колледж № %d",
                            "higher": "ФГБОУ ВО Университет № %d", "science": "Научный институт № %d",
                            "other": "Управление образования № %d"}[kind] % (p + 1)
                has_base = rng.random() < 0.93
                self.add(ext_id=pid, parent_ext_id=parent, level="primary", kind=kind, composition=comp,
                         name=row_name, short_name=row_name.split(" ", 1)[1] if rng.random() < 0.95 else None,
                         region_code=code, valid_from="%d-%02d-01" % (year, rng.randint(1, 12)),
                         base_as_of="%d-01-01" % self.base_year if has_base else None,
                         employees=emp if has_base else None, students=stu if has_base else None)
                # subdivisions: about one per primary, some nested one level more
                n_sub = rng.choice([0, 0, 1, 1, 1, 2, 2])
                for s in range(n_sub):
                    sid = "%s-S%d" % (pid, s + 1)
                    self.add(ext_id=sid, parent_ext_id=pid, level="subdivision",
                             name="Профгруппа %d" % (s + 1), region_code=code,
                             valid_from="%d-09-01" % max(year + 1, 2015))
                    if rng.random() < 0.05:
                        self.add(ext_id=sid + "-1", parent_ext_id=sid, level="subdivision",
                                 name="Профгруппа %d.1" % (s + 1), region_code=code,
                                 valid_from="%d-09-01" % max(year + 1, 2016))
        return self.rows


COLUMNS = ["ext_id", "parent_ext_id", "level", "kind", "composition", "name", "short_name", "inn", "ogrn",
           "region_code", "valid_from", "valid_to", "base_as_of", "employees", "students", "chairman_name",
           "chairman_term_from", "chairman_term_to", "chairman_released", "chairman_email",
           "chairman_email_consent"]


def bad_rows(n, rng):
    """Rows with the mistakes real files have: the loader must reject each with a reason."""
    out = []
    for i in range(n):
        row = {c: "" for c in COLUMNS}
        row.update(ext_id="BAD-%04d" % i, parent_ext_id="R01", level="territorial",
                   name="Ошибочная строка %d" % i, region_code="1", valid_from="2010-01-01")
        k = i % 8
        if k == 0:
            row["level"] = "territoral"
        elif k == 1:
            row["inn"] = "7707083894"
        elif k == 2:
            row["valid_from"] = "2010-13-01"
        elif k == 3:
            row["parent_ext_id"] = "R99-NOWHERE"
        elif k == 4:
            row["region_code"] = "100"
        elif k == 5:
            row.update(level="primary", kind="", composition="workers")
        elif k == 6:
            row["chairman_released"] = "возможно"
        else:
            row.update(level="primary", kind="school", composition="workers", parent_ext_id="C")
        out.append(row)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = the real union (~145,000 organizations)")
    ap.add_argument("--base-year", type=int, default=2026)
    ap.add_argument("--shuffle", action="store_true", help="write rows in random order (children before parents)")
    ap.add_argument("--bad", type=int, default=0, help="append this many rows with typical mistakes")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    g = Gen(a.seed, a.scale, a.base_year)
    rows = g.build()
    rows += bad_rows(a.bad, random.Random(a.seed + 2))
    if a.shuffle:
        random.Random(a.seed + 1).shuffle(rows)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "stage_org.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    print("stage_org.csv: %d organizations" % len(rows))


if __name__ == "__main__":
    main()
