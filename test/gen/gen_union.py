#!/usr/bin/env python3
"""Deterministic synthetic union for unionreg: same seed and size, same files.

Writes stage_org.csv, and with --members N also stage_member.csv and
stage_baseline.csv (the columns of unionreg.stage_org, stage_member and
stage_baseline) into --out.
--scale 1.0 is the union's real size: 80 regions, some districts, ~2,300
territorial, ~72,000 primary and ~75,000 subdivision organizations;
--members 4000000 its real membership.
"""
import argparse
import csv
import os
import bisect
import datetime
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
        # capped: the largest region about 60 times the smallest (3,000 .. 200,000 members at full size)
        weights = [min(rng.paretovariate(1.2), 40.0) for _ in range(n_regions)]
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


MEMBER_COLUMNS = ["ext_id", "org_ext_id", "surname", "first_name", "patronymic", "birth_date", "gender", "snils",
                  "email", "phone", "status", "pedagogical", "position", "student_level", "full_time", "joined_on",
                  "left_on", "left_reason", "admitted_online", "card_number", "card_status", "card_status_on",
                  "virtual_card_on", "profcards_on", "consent_email", "consent_sms", "consent_push"]
BASELINE_COLUMNS = ["org_ext_id", "as_of", "members", "working", "students", "pensioners", "employees",
                    "primaries", "territorials"]

F_SURNAMES = ["Иванова", "Петрова", "Смирнова", "Кузнецова", "Соколова", "Попова", "Лебедева", "Козлова",
              "Новикова", "Морозова", "Волкова", "Алексеева", "Ёлкина", "Фёдорова", "Михайлова", "Орлова",
              "Семёнова", "Егорова", "Павлова", "Степанова", "Николаева", "Захарова", "Зайцева", "Соловьёва",
              "Борисова", "Яковлева", "Григорьева", "Романова", "Воробьёва", "Сергеева", "Кузьмина", "Фролова"]
M_SURNAMES = [x[:-1] for x in F_SURNAMES]
F_FIRST = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Екатерина",
           "Галина", "Людмила", "Надежда", "Марина", "Алёна", "Дарья", "Ксения", "Валентина"]
M_FIRST = ["Пётр", "Иван", "Сергей", "Алексей", "Андрей", "Дмитрий", "Николай", "Михаил", "Артём", "Олег"]
F_PATRON = ["Петровна", "Ивановна", "Сергеевна", "Александровна", "Николаевна", "Викторовна", "Андреевна",
            "Михайловна", "Фёдоровна", "Юрьевна"]
M_PATRON = ["Петрович", "Иванович", "Сергеевич", "Александрович", "Николаевич", "Викторович"]
LATIN_LOOKALIKE = {"а": "a", "о": "o", "е": "e", "с": "c", "р": "p", "х": "x", "у": "y"}
CARD_STATES = [("issued", 0.45), ("delivered_to_region", 0.25), ("produced", 0.10), ("requested", 0.10),
               ("refused", 0.07), ("lost", 0.03)]
REASONS = ["own_wish", "left_job", "graduated", "retired", "died", "expelled", "other"]
EPOCH = datetime.date(2015, 1, 1)
LAST = datetime.date(2026, 11, 1)
SPAN = (LAST - EPOCH).days


def snils_of(n):
    """An 11-digit SNILS for the number n (9 digits, above 001-001-998) with its check number."""
    d = "%09d" % n
    s = sum(int(c) * w for c, w in zip(d, range(9, 0, -1)))
    if s > 101:
        s %= 101
    if s in (100, 101):
        s = 0
    return "%s-%s-%s %02d" % (d[0:3], d[3:6], d[6:9], s)


def luhn_card(n):
    body = "2200%011d" % n
    total = 0
    for i, c in enumerate(reversed(body)):
        x = int(c)
        if i % 2 == 0:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    return body + str((10 - total % 10) % 10)


def weighted(rng, pairs):
    x = rng.random()
    acc = 0.0
    for k, p in pairs:
        acc += p
        if x < acc:
            return k
    return pairs[-1][0]


class MemberGen:
    """Members of the organizations Gen built: ~72% working, ~19% students, ~1.5% pensioners, rest unknown."""

    def __init__(self, seed, orgs, n_members, base_year):
        self.rng = random.Random(seed + 100)
        self.n = n_members
        self.base_year = base_year
        self.prim = []
        subs = {}
        region_of = {}
        for o in orgs:
            if o["level"] == "regional":
                region_of[o["ext_id"]] = o["ext_id"]
        for o in orgs:
            if o["level"] == "subdivision" and o["parent_ext_id"] in region_of or False:
                pass
            if o["level"] == "subdivision":
                subs.setdefault(o["parent_ext_id"], []).append(o)
        for o in orgs:
            if o["level"] == "primary":
                self.prim.append(o)
        self.subs = subs
        rng = self.rng
        # about 10% of primaries have no member at all
        live = [p for p in self.prim if rng.random() >= 0.10]
        w_work, w_stud = [], []
        acc_w = acc_s = 0.0
        self.work_orgs, self.stud_orgs = [], []
        for p in live:
            emp = int(p["employees"] or 40)
            stu = int(p["students"] or 0)
            if p["composition"] in ("workers", "joint"):
                acc_w += emp
                self.work_orgs.append(p)
                w_work.append(acc_w)
            if p["composition"] in ("students", "joint") or (p["kind"] in ("professional", "higher")):
                acc_s += max(stu, 100) * 0.3
                self.stud_orgs.append(p)
                w_stud.append(acc_s)
        self.w_work, self.w_stud = w_work, w_stud

    def pick(self, orgs, cum):
        x = self.rng.random() * cum[-1]
        return orgs[bisect.bisect_right(cum, x)]

    def date_between(self, lo, hi):
        if hi <= lo:
            return lo
        return lo + datetime.timedelta(days=self.rng.randrange((hi - lo).days))

    def place(self, prim, joined):
        """The primary itself or, for about a third, one of its subdivisions live on the day joined."""
        subs = self.subs.get(prim["ext_id"])
        if subs and self.rng.random() < 0.35:
            s = self.rng.choice(subs)
            if s["valid_from"] <= joined.isoformat():
                return s["ext_id"]
        return prim["ext_id"]

    def rows(self):
        rng = self.rng
        card_seq = 1000
        snils_seq = 2_000_000
        for i in range(self.n):
            pid = "M%07d" % (i + 1)
            status = weighted(rng, [("working", 0.72), ("student", 0.19), ("pensioner", 0.015), ("", 0.075)])
            if status == "student" and self.stud_orgs:
                prim = self.pick(self.stud_orgs, self.w_stud)
            else:
                prim = self.pick(self.work_orgs, self.w_work)
            female = rng.random() < 0.8
            if status == "student":
                birth = self.date_between(datetime.date(1998, 1, 1), datetime.date(2009, 1, 1))
            elif status == "pensioner":
                birth = self.date_between(datetime.date(1945, 1, 1), datetime.date(1966, 1, 1))
            else:
                birth = self.date_between(datetime.date(1958, 1, 1), datetime.date(2004, 1, 1))
            person = {
                "ext_id": pid,
                "surname": rng.choice(F_SURNAMES if female else M_SURNAMES),
                "first_name": rng.choice(F_FIRST if female else M_FIRST),
                "patronymic": rng.choice(F_PATRON if female else M_PATRON) if rng.random() < 0.97 else "",
                "birth_date": birth.isoformat(),
                "gender": "f" if female else "m",
                "status": status,
            }
            if rng.random() < 0.8:
                snils_seq += rng.randint(1, 50)
                person["snils"] = snils_of(snils_seq) if rng.random() < 0.5 else snils_of(snils_seq).replace("-", "").replace(" ", "")
            r = rng.random()
            if r < 0.6:
                person["email"] = "user%d@mail.ru" % (i + 1)
            elif r < 0.65:
                person["email"] = "u%d@школа.рф" % (i + 1)
            elif r < 0.66:
                person["email"] = "user%d@@mail" % (i + 1)
            if rng.random() < 0.7:
                person["phone"] = "+7 9%02d %03d-%02d-%02d" % (rng.randint(0, 99), rng.randint(0, 999),
                                                               rng.randint(0, 99), rng.randint(0, 99))
            if status == "working":
                person["pedagogical"] = "t" if rng.random() < 0.7 else "f"
                person["position"] = {"school": "teacher", "preschool": "educator", "higher": "faculty",
                                      "science": "researcher"}.get(prim["kind"], "other") \
                    if rng.random() < 0.7 else "other"
            elif status == "student":
                person["student_level"] = "college" if prim["kind"] == "professional" else \
                    weighted(rng, [("bachelor", 0.75), ("master", 0.2), ("postgraduate", 0.05)])
                person["full_time"] = "t" if rng.random() < 0.85 else "f"
            if rng.random() < 0.3:
                person["virtual_card_on"] = self.date_between(datetime.date(2021, 1, 1), LAST).isoformat()
                if rng.random() < 0.5:
                    person["profcards_on"] = person["virtual_card_on"]
            for ch in ("consent_email", "consent_sms", "consent_push"):
                c = rng.random()
                person[ch] = "t" if c < 0.6 else ("f" if c < 0.7 else "")

            # periods: most one, some ended, some transferred to a second primary
            start = max(EPOCH, datetime.date.fromisoformat(prim["valid_from"]))
            joined = self.date_between(start, LAST)
            periods = []
            if rng.random() < 0.06 and (LAST - joined).days > 60:
                t = self.date_between(joined + datetime.timedelta(days=30), LAST)
                # students move between student organizations, the others between workers'
                if status == "student" and self.stud_orgs:
                    other = self.pick(self.stud_orgs, self.w_stud)
                else:
                    other = self.pick(self.work_orgs, self.w_work)
                if other["valid_from"] <= t.isoformat() and other is not prim:
                    periods.append((prim, joined, t, "transferred"))
                    prim, joined = other, t
            left = None
            reason = ""
            if rng.random() < 0.22 and (LAST - joined).days > 2:
                left = self.date_between(joined + datetime.timedelta(days=1), LAST)
                reason = "graduated" if status == "student" and rng.random() < 0.6 else rng.choice(REASONS)
            periods.append((prim, joined, left, reason))

            for k, (org, j, l, why) in enumerate(periods):
                row = dict(person)
                last = k == len(periods) - 1
                row.update(org_ext_id=self.place(org, j), joined_on=j.isoformat(),
                           left_on=l.isoformat() if l else "", left_reason=why)
                if j.year >= 2021 and rng.random() < 0.08:
                    row["admitted_online"] = "t"
                if last and rng.random() < 0.6:
                    card_seq += 1
                    if l is not None:
                        st = "cancelled"
                        on = l
                    else:
                        st = weighted(rng, CARD_STATES)
                        on = self.date_between(max(j, datetime.date(2020, 1, 1)), LAST)
                    row.update(card_number=luhn_card(card_seq), card_status=st, card_status_on=on.isoformat())
                yield row
            # a few persons are on record twice, typed differently
            if rng.random() < 0.005:
                dup = dict(row)
                dup["ext_id"] = pid + "-D"
                dup["card_number"] = dup["card_status"] = dup["card_status_on"] = ""
                how = rng.randrange(4)
                if how == 0:
                    dup["surname"] = dup["surname"].replace("ё", "е").replace("Ё", "Е").upper()
                elif how == 1:
                    for cyr, lat in LATIN_LOOKALIKE.items():
                        if cyr in dup["surname"]:
                            dup["surname"] = dup["surname"].replace(cyr, lat, 1)
                            break
                elif how == 2:
                    dup["surname"] = "  " + dup["surname"].lower() + " "
                else:
                    import unicodedata
                    dup["surname"] = unicodedata.normalize("NFD", dup["surname"])
                if rng.random() < 0.5:
                    dup["snils"] = ""
                yield dup


# the kinds of bad_member_rows whose mistake is in an optional field: the
# loader loads the member without it and keeps a warning (WARNM-...); the
# others are rejected (BADM-...)
OPTIONAL_FIELD_KINDS = {2, 5, 6, 7, 8, 11}


def bad_member_rows(n, rng, good_org, sub_of_other):
    """Rows with the mistakes real files have, every kind: a bad required field must be rejected
    with a reason (BADM-...), a bad optional field loaded without it and a warning kept (WARNM-...)."""
    out = []
    for i in range(n):
        row = {c: "" for c in MEMBER_COLUMNS}
        prefix = "WARNM" if i % 14 in OPTIONAL_FIELD_KINDS else "BADM"
        row.update(ext_id="%s-%05d" % (prefix, i), org_ext_id=good_org, surname="Ошибкина", first_name="Анна",
                   patronymic="Петровна", birth_date="1980-05-05", gender="f", status="working",
                   joined_on="2020-01-01")
        k = i % 14
        if k == 0:
            row["joined_on"] = "2020-02-30"
        elif k == 1:
            row["org_ext_id"] = "NO-SUCH-ORG"
        elif k == 2:
            row["status"] = "worker"
        elif k == 3:
            row.update(left_on="2021-01-01")
        elif k == 4:
            row.update(left_on="2019-01-01", left_reason="own_wish")
        elif k == 5:
            row["snils"] = "112-233-445 96"
        elif k == 6:
            row.update(card_number="4276380012345678", card_status="issued", card_status_on="2021-01-01")
        elif k == 7:
            row["gender"] = "x"
        elif k == 8:
            row.update(status="student", position="teacher")
        elif k == 9:
            row["org_ext_id"] = good_org.split("-P")[0]  # a regional organization
        elif k == 10:
            row["surname"] = ""
        elif k == 11:
            row.update(card_number="2200000000000001", card_status="given", card_status_on="2021-01-01")
        elif k == 12:
            # two overlapping periods of one person: the later row is refused
            row2 = dict(row)
            row2["joined_on"] = "2020-06-01"
            out.append(row2)
            row["ext_id"] = row2["ext_id"]
            row["joined_on"] = "2021-01-01"
            row2["left_on"] = ""
        else:
            row["left_reason"] = "bored"
            row["left_on"] = "2022-01-01"
        out.append(row)
    return out


def baselines(orgs, member_rows, base_year, seed):
    """Paper figures per region and territorial organization on 1 January, off from the register by region."""
    rng = random.Random(seed + 200)
    as_of = "%d-01-01" % base_year
    parent = {o["ext_id"]: o["parent_ext_id"] for o in orgs}
    level = {o["ext_id"]: o["level"] for o in orgs}
    count = {}
    for r in member_rows:
        if r["joined_on"] <= as_of and (not r["left_on"] or r["left_on"] > as_of):
            o = r["org_ext_id"]
            seen = 0
            while o and seen < 10:
                if level.get(o) in ("regional", "territorial"):
                    c = count.setdefault(o, [0, 0, 0, 0])
                    c[0] += 1
                    c[1] += r["status"] == "working"
                    c[2] += r["status"] == "student"
                    c[3] += r["status"] == "pensioner"
                o = parent.get(o)
                seen += 1
    out = []
    ratio = {}
    for o in orgs:
        if o["level"] == "regional":
            # coverage register/paper: most 0.5..1.0, some under 20%, some over 100%
            x = rng.random()
            ratio[o["ext_id"]] = rng.uniform(0.08, 0.2) if x < 0.1 else (rng.uniform(1.0, 1.3) if x > 0.9 else rng.uniform(0.5, 1.0))
    for o in orgs:
        if o["level"] not in ("regional", "territorial"):
            continue
        reg = o["ext_id"]
        while level.get(reg) != "regional":
            reg = parent[reg]
        c = count.get(o["ext_id"], [0, 0, 0, 0])
        f = ratio[reg]
        m = round(c[0] / f)
        w = round(c[1] / f)
        s = round(c[2] / f)
        p = round(c[3] / f)
        out.append({"org_ext_id": o["ext_id"], "as_of": as_of, "members": m, "working": min(w, m),
                    "students": min(s, m - min(w, m)), "pensioners": min(p, max(0, m - w - s)),
                    "employees": round(m * rng.uniform(1.1, 1.6)), "primaries": "", "territorials": ""})
    # a region's paper counts of organizations (Table 1): the register holds 38%..100% of its
    # primaries and nearly all its territorials (their own random stream: the figures above stay)
    orng = random.Random(seed + 300)
    live = [o for o in orgs if o["valid_from"] <= as_of and (not o["valid_to"] or o["valid_to"] > as_of)]
    in_region = {}
    for o in live:
        reg = o["ext_id"]
        seen = 0
        while reg and level.get(reg) != "regional" and seen < 10:
            reg = parent.get(reg)
            seen += 1
        if reg and o["level"] in ("primary", "territorial"):
            c = in_region.setdefault(reg, {"primary": 0, "territorial": 0})
            c[o["level"]] += 1
    for row in out:
        c = in_region.get(row["org_ext_id"])
        if c is not None and level.get(row["org_ext_id"]) == "regional":
            row["primaries"] = round(c["primary"] / orng.uniform(0.38, 1.0))
            row["territorials"] = round(c["territorial"] / orng.uniform(0.9, 1.0))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = the real union (~145,000 organizations)")
    ap.add_argument("--base-year", type=int, default=2026)
    ap.add_argument("--shuffle", action="store_true", help="write rows in random order (children before parents)")
    ap.add_argument("--bad", type=int, default=0, help="append this many rows with typical mistakes")
    ap.add_argument("--members", type=int, default=0,
                    help="also write stage_member.csv with about this many persons, and stage_baseline.csv")
    ap.add_argument("--bad-members", type=float, default=0.0,
                    help="share of extra member rows with typical mistakes (0.05 = 5%%)")
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
    if a.members:
        good = [o for o in rows if o["level"] == "primary" and not o["ext_id"].startswith("BAD")]
        mg = MemberGen(a.seed, [o for o in rows if not o["ext_id"].startswith("BAD")], a.members, a.base_year)
        mrows = list(mg.rows())
        nbad = int(len(mrows) * a.bad_members)
        good_org = min(good, key=lambda o: o["valid_from"])["ext_id"]
        base = baselines([o for o in rows if not o["ext_id"].startswith("BAD")], mrows, a.base_year, a.seed)
        mrows += bad_member_rows(nbad, random.Random(a.seed + 3), good_org, None)
        if a.shuffle:
            random.Random(a.seed + 4).shuffle(mrows)
        with open(os.path.join(a.out, "stage_member.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=MEMBER_COLUMNS, restval="")
            w.writeheader()
            w.writerows(mrows)
        with open(os.path.join(a.out, "stage_baseline.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=BASELINE_COLUMNS)
            w.writeheader()
            w.writerows(base)
        print("stage_member.csv: %d rows (%d with mistakes); stage_baseline.csv: %d rows"
              % (len(mrows), nbad, len(base)))


if __name__ == "__main__":
    main()
