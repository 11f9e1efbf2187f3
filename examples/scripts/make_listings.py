#!/usr/bin/env python3
"""Generates examples/src/main/resources/listings.csv, the input of the ETL example (CsvToNpy).

Synthetic house listings, deterministic (Python's own random with a fixed seed; no numpy needed):

  listing_id, city, built_year, area_m2, rooms, floor, distance_center_km, has_garden,
  asking_price_eur, sold_within_30d

`sold_within_30d` (the label) depends on the price per m2 against the city's usual price, the
distance to the centre, the area and the garden, with noise. To give the example something to
clean, the file also has what real exports have: missing areas, rooms, floors and distances,
missing labels (listings still on the market), "yes"/"no"/"Y"/"N" booleans, and some listings
exported twice.

Run from the repository root:  python3 examples/scripts/make_listings.py
"""
import csv
import math
import random

ROWS = 3000
SEED = 20261125
OUT = "examples/src/main/resources/listings.csv"
CITIES = {  # name: (EUR per m2 in the centre, share of listings)
    "Lyon": (5200, 0.30),
    "Nantes": (4100, 0.25),
    "Lille": (3600, 0.25),
    "Rennes": (4300, 0.20),
}


def main():
    rng = random.Random(SEED)
    names = list(CITIES)
    weights = [CITIES[c][1] for c in names]
    rows = []
    for i in range(ROWS):
        listing_id = 100000 + i * 7 + rng.randrange(7)
        city = rng.choices(names, weights)[0]
        built = int(min(2025, max(1880, rng.gauss(1975, 30))))
        area = round(max(18.0, rng.lognormvariate(math.log(75), 0.4)), 1)
        rooms = max(1, min(9, round(area / 24 + rng.gauss(0, 0.7))))
        floor = max(0, min(14, int(rng.expovariate(1 / 2.5))))
        distance = round(rng.gammavariate(2.0, 2.2), 2)
        garden = rng.random() < (0.15 + min(0.5, distance / 20))
        base = CITIES[city][0] * math.exp(-distance / 25) * (1.08 if garden else 1.0)
        base *= 1.0 - min(0.25, max(0, 2025 - built) / 600)
        ask_per_m2 = base * math.exp(rng.gauss(0, 0.12))
        price = int(round(area * ask_per_m2, -2))
        # Cheaper than the city's usual price per m2, smaller, closer: sells faster.
        score = (
            -6.0 * math.log(ask_per_m2 / base)
            - 0.12 * distance
            - 0.008 * (area - 75)
            + (0.4 if garden else 0.0)
            + 0.3
            + rng.gauss(0, 0.6)
        )
        sold = 1 if score > 0 else 0
        garden_text = rng.choice(["yes", "no"] if rng.random() < 0.9 else ["Y", "N"])
        if not garden:
            garden_text = {"yes": "no", "Y": "N"}.get(garden_text, garden_text)
        else:
            garden_text = {"no": "yes", "N": "Y"}.get(garden_text, garden_text)
        row = [listing_id, city, built, area, rooms, floor, distance, garden_text, price, sold]
        # Missing values, as exports have them.
        if rng.random() < 0.04:
            row[3] = ""  # area
        if rng.random() < 0.06:
            row[4] = ""  # rooms
        if rng.random() < 0.03:
            row[5] = ""  # floor
        if rng.random() < 0.02:
            row[6] = ""  # distance
        if rng.random() < 0.05:
            row[9] = ""  # still on the market: no label
        rows.append(row)
    # Some listings exported twice.
    for _ in range(40):
        rows.insert(rng.randrange(len(rows)), list(rows[rng.randrange(len(rows))]))
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(
            [
                "listing_id",
                "city",
                "built_year",
                "area_m2",
                "rooms",
                "floor",
                "distance_center_km",
                "has_garden",
                "asking_price_eur",
                "sold_within_30d",
            ]
        )
        w.writerows(rows)


if __name__ == "__main__":
    main()
