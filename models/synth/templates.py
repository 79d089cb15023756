"""
Word-problem templates for the demo model. Each template draws numbers from a seeded
random generator and returns (question, code): the question mixes in distractor
quantities; the code is the gold program whose printed result is the answer (the gold
answer is computed by running it, see generate.py).

Numbers stay at or below 1000; templates cover percentages, fractions, rounding,
remainders, units, rates and 2-4 step chains.
"""
import random

NAMES = ['Ana', 'Ben', 'Chloe', 'Dev', 'Elif', 'Femi', 'Gus', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena', 'Mo', 'Nia', 'Omar', 'Pia']
ITEMS = ['pencils', 'apples', 'stickers', 'marbles', 'cookies', 'books', 'cards', 'shells', 'coins', 'beads']
SHOPS = ['bakery', 'bookstore', 'market', 'toy shop', 'cafe']


def _name(r):
    return r.choice(NAMES)


def _distractor(r, who):
    return r.choice([
        f'{who} is {r.randint(8, 60)} years old. ',
        f'It is a {r.choice(["sunny", "rainy", "windy"])} day with {r.randint(10, 35)} degrees. ',
        f'{who} lives {r.randint(2, 90)} km from the city. ',
        f'{who} has {r.randint(2, 9)} cousins. ',
        '',
    ])


def shopping_change(r):
    n, a, b = _name(r), r.randint(2, 9), r.randint(2, 9)
    p, q = r.randint(2, 40), r.randint(2, 40)
    bill = r.choice([100, 200, 500, 1000])
    while a * p + b * q > bill:
        a, b = max(1, a - 1), max(1, b - 1)
    it1, it2 = r.sample(ITEMS, 2)
    question = (f'{_distractor(r, n)}{n} buys {a} {it1} at ${p} each and {b} {it2} at ${q} each. '
                f'{n} pays with a ${bill} bill. How much change does {n} get?')
    code = f'cost = {a} * {p} + {b} * {q}\nchange = {bill} - cost\nprint(change)'
    return question, code


def discount_then_tax(r):
    price, off, tax = r.randint(20, 900), r.choice([10, 15, 20, 25, 30, 40, 50]), r.choice([5, 8, 10, 12])
    question = (f'A jacket costs ${price}. It is on sale for {off}% off, and then a {tax}% tax is added to the '
                f'sale price. What is the final price in dollars? Round to the nearest cent.')
    code = f'sale = {price} * (1 - {off} / 100)\nfinal = sale * (1 + {tax} / 100)\nprint(round(final, 2))'
    return question, code


def percent_of_group(r):
    total = r.choice(range(20, 1001, 20))
    pct = r.choice([10, 20, 25, 30, 40, 45, 60, 75, 80])
    teachers = r.randint(2, 40)
    question = (f'A school has {total} students and {teachers} teachers. {pct}% of the students walk to school. '
                f'How many students do not walk to school?')
    code = f'walk = {total} * {pct} / 100\nrest = {total} - walk\nprint(int(rest))'
    return question, code


def fraction_eaten(r):
    n = _name(r)
    slices = r.choice([8, 12, 16, 20, 24])
    a, b = r.choice([(1, 4), (1, 2), (3, 8), (1, 8), (1, 3), (3, 4)])
    while (slices * a) % b:
        slices += 4
    friends = r.randint(2, 6)
    question = (f'{n} orders a pizza cut into {slices} slices and invites {friends} friends. '
                f'{n} eats {a}/{b} of the pizza. How many slices are left?')
    code = f'eaten = {slices} * {a} // {b}\nleft = {slices} - eaten\nprint(left)'
    return question, code


def share_remainder(r):
    n, k = r.randint(50, 1000), r.randint(3, 29)
    item = r.choice(ITEMS)
    question = (f'A teacher has {n} {item} and shares them equally among {k} students, giving each student as '
                f'many as possible. How many {item} are left over?')
    code = f'left = {n} % {k}\nprint(left)'
    return question, code


def boxes_needed(r):
    n, k = r.randint(40, 1000), r.randint(4, 36)
    item = r.choice(ITEMS)
    question = f'{r.choice(SHOPS).capitalize()} staff pack {n} {item} into boxes that hold {k} each. How many boxes do they need?'
    code = f'import math\nboxes = math.ceil({n} / {k})\nprint(boxes)'
    return question, code


def speed_minutes(r):
    n = _name(r)
    km, minutes = r.randint(5, 300), r.choice([15, 20, 30, 40, 45, 60, 75, 90, 120, 150, 180])
    question = (f'{n} drives {km} km in {minutes} minutes. What is the average speed in km per hour? '
                f'Round to one decimal place.')
    code = f'hours = {minutes} / 60\nspeed = {km} / hours\nprint(round(speed, 1))'
    return question, code


def savings_weeks(r):
    n = _name(r)
    goal, have, per = r.randint(100, 1000), r.randint(0, 90), r.randint(5, 60)
    question = (f'{n} wants a bike that costs ${goal}. {n} has ${have} saved and saves ${per} each week. '
                f'How many weeks until {n} can buy the bike?')
    code = f'import math\nneeded = {goal} - {have}\nweeks = math.ceil(needed / {per})\nprint(weeks)'
    return question, code


def average_scores(r):
    n = _name(r)
    scores = [r.randint(40, 100) for _ in range(r.randint(3, 5))]
    listed = ', '.join(map(str, scores[:-1])) + f' and {scores[-1]}'
    question = f'{n} scored {listed} on {len(scores)} tests. What is the average score? Round to two decimal places.'
    code = f'scores = [{", ".join(map(str, scores))}]\navg = sum(scores) / len(scores)\nprint(round(avg, 2))'
    return question, code


def rectangle_area(r):
    per = r.randint(10, 200) * 2
    length = r.randint(per // 4 + 1, per // 2 - 1)
    question = f'A rectangle has a perimeter of {per} cm and a length of {length} cm. What is its area in square centimetres?'
    code = f'width = {per} / 2 - {length}\narea = {length} * width\nprint(int(area))'
    return question, code


def wage_overtime(r):
    n = _name(r)
    rate, hours = r.randint(10, 40), r.randint(41, 60)
    mult = r.choice([1.5, 2])
    question = (f'{n} earns ${rate} per hour for the first 40 hours of a week and {mult} times that rate for every '
                f'hour after 40. {n} works {hours} hours this week. How much does {n} earn?')
    code = f'regular = 40 * {rate}\novertime = ({hours} - 40) * {rate} * {mult}\nprint(regular + overtime)'
    return question, code


def unit_ribbon(r):
    n = _name(r)
    meters, piece = r.randint(2, 30), r.choice([15, 20, 25, 30, 40, 45, 60, 75])
    question = (f'{n} has a ribbon {meters} m long and cuts pieces of {piece} cm each. How many whole pieces can '
                f'{n} cut?')
    code = f'total_cm = {meters} * 100\npieces = total_cm // {piece}\nprint(pieces)'
    return question, code


def ratio_split(r):
    a, b = r.randint(1, 9), r.randint(1, 9)
    total = (a + b) * r.randint(5, 1000 // (a + b))
    n1, n2 = r.sample(NAMES, 2)
    question = f'{n1} and {n2} share ${total} in the ratio {a}:{b}. How much does {n2} get?'
    code = f'part = {total} / ({a} + {b})\nshare = part * {b}\nprint(int(share))'
    return question, code


def percent_change(r):
    old = r.choice(range(20, 1001, 10))
    new = min(1000, old + r.choice([-1, 1]) * r.choice(range(5, old // 2 + 5, 5)))
    question = f'A town had {old} bikes for rent last year and {new} this year. By what percent did the number change? Round to one decimal place.'
    code = f'change = ({new} - {old}) / {old} * 100\nprint(round(change, 1))'
    return question, code


def age_future(r):
    n1, n2 = r.sample(NAMES, 2)
    young, k, years = r.randint(3, 20), r.randint(2, 5), r.randint(2, 15)
    question = f'{n1} is {k} times as old as {n2}. {n2} is {young}. How old will {n1} be in {years} years?'
    code = f'old = {k} * {young}\nfuture = old + {years}\nprint(future)'
    return question, code


def inventory(r):
    item = r.choice(ITEMS)
    start, sold, restock = r.randint(100, 800), r.randint(10, 90), r.randint(20, 200)
    days = r.randint(2, 5)
    question = (f'A shop starts with {start} {item}. It sells {sold} {item} every day for {days} days, and then '
                f'receives a delivery of {restock} {item}. How many {item} does it have now?')
    code = f'left = {start} - {sold} * {days}\nnow = left + {restock}\nprint(now)'
    return question, code


def recipe_scale(r):
    cups, serves, want = r.choice([1.5, 2, 2.5, 3, 0.75]), r.choice([4, 6, 8]), r.choice([10, 12, 16, 20, 24, 30])
    question = f'A recipe uses {cups} cups of flour for {serves} servings. How many cups are needed for {want} servings? Round to two decimal places.'
    code = f'per = {cups} / {serves}\nneed = per * {want}\nprint(round(need, 2))'
    return question, code


def tickets(r):
    adult, child = r.randint(8, 40), r.randint(3, 20)
    na, nc = r.randint(1, 9), r.randint(1, 12)
    question = (f'Museum tickets cost ${adult} for adults and ${child} for children. A group of {na} adults and '
                f'{nc} children visits. How much do they pay in total?')
    code = f'total = {na} * {adult} + {nc} * {child}\nprint(total)'
    return question, code


def simple_interest(r):
    p, rate, years = r.choice(range(100, 1001, 50)), r.choice([2, 3, 4, 5, 6, 8]), r.randint(2, 10)
    question = f'${p} is saved at {rate}% simple interest per year. What is the total after {years} years?'
    code = f'interest = {p} * {rate} / 100 * {years}\ntotal = {p} + interest\nprint(total)'
    return question, code


def round_total(r):
    n = _name(r)
    a, b, c = r.randint(100, 500), r.randint(100, 400), r.randint(10, 99)
    place = r.choice([10, 100])
    question = (f'{n} counted {a} red, {b} blue and {c} green beads. What is the total number of beads, rounded '
                f'to the nearest {place}?')
    code = f'total = {a} + {b} + {c}\nrounded = round(total / {place}) * {place}\nprint(rounded)'
    return question, code


def fuel_cost(r):
    km, per100, price = r.randint(50, 900), r.choice([5, 6, 7, 8, 9, 10]), r.choice([1.2, 1.5, 1.8, 2])
    question = (f'A car uses {per100} litres of fuel per 100 km. Fuel costs ${price} per litre. How much does '
                f'the fuel cost for a {km} km trip? Round to the nearest cent.')
    code = f'litres = {km} / 100 * {per100}\ncost = litres * {price}\nprint(round(cost, 2))'
    return question, code


def time_minutes(r):
    n = _name(r)
    tasks = [r.randint(5, 90) for _ in range(3)]
    question = (f'{n} spends {tasks[0]} minutes reading, {tasks[1]} minutes cooking and {tasks[2]} minutes '
                f'walking. How many hours is that in total? Round to two decimal places.')
    code = f'minutes = {tasks[0]} + {tasks[1]} + {tasks[2]}\nhours = minutes / 60\nprint(round(hours, 2))'
    return question, code


TEMPLATES = [
    shopping_change, discount_then_tax, percent_of_group, fraction_eaten, share_remainder, boxes_needed,
    speed_minutes, savings_weeks, average_scores, rectangle_area, wage_overtime, unit_ribbon, ratio_split,
    percent_change, age_future, inventory, recipe_scale, tickets, simple_interest, round_total, fuel_cost,
    time_minutes,
]


def draw(rng: random.Random):
    template = rng.choice(TEMPLATES)
    question, code = template(rng)
    return template.__name__, question, code
