"""Formulas of shapes: area and perimeter of rectangles, squares, triangles and circles; volume (and surface area)
of boxes, cubes, cylinders, cones and spheres; Pythagoras. Each step names the formula; lengths must be positive."""
import sympy as sp

from .steps import BadInput, Solution, step
from .rules import rule

L = r'-?\d+(?:\.\d+)?(?:/\d+)?'
UNIT = r'(?:\s*(?:cm|mm|m|km|in|inches|ft|feet|yd|yards|units|meters|metres|centimeters|centimetres|miles))?'


def _len(text, name):
    v = sp.Rational(text)
    if v <= 0:
        raise BadInput(f'A {name} must be a positive length; {text} is not.')
    return v


def _answer(value, p):
    from .core import number_answer
    return number_answer(value, p.text, p.form) if value.is_Rational else sp.latex(value)


def _result(kind, formula_rule, formula_tex, sentence, value, p, substituted):
    steps = [step(formula_rule, sentence, formula_tex),
             step('substitute', 'Substitute the lengths.', substituted),
             step('evaluate', 'Evaluate.', sp.latex(value))]
    return Solution(kind, formula_tex, steps, _answer(value, p))


def _g(p, *names):
    return [p.groups.get(n) for n in names]


ASK = r'^(?:find |what is |calculate |compute |determine |work out |give )?(?:the )?'
OF = r' (?:of )?(?:a |an |the )?'
WITH = r'(?: with| that has| whose| of)?'


@rule('circle', ASK + r'(?P<what>area|circumference|perimeter)' + OF + r'circle' + WITH + r' (?:a |an )?(?P<by>radius|diameter)(?: of| is|=| equal to)? (?P<r>' + L + ')' + UNIT + '$',
      ASK + r'(?P<what>area|circumference|perimeter)' + OF + r'circle' + WITH + r' (?:a )?(?P<by>radius|diameter) (?P<r>' + L + ')' + UNIT + '$')
def circle(p):
    r = _len(p.groups['r'], p.groups['by'])
    by_diameter = p.groups['by'] == 'diameter'
    radius = r / 2 if by_diameter else r
    pre = [step('radius', f'The radius is half the diameter: $r = {sp.latex(radius)}$.', f'r = {sp.latex(radius)}')] if by_diameter else []
    if p.groups['what'] == 'area':
        value = sp.pi * radius ** 2
        s = _result('area', 'circle-area', r'A = \pi r^2', 'The area of a circle is $A = \\pi r^2$.', value, p, f'A = \\pi \\cdot {sp.latex(radius)}^2')
    else:
        value = 2 * sp.pi * radius
        s = _result('perimeter', 'circumference', r'C = 2 \pi r', 'The circumference of a circle is $C = 2\\pi r$.', value, p, f'C = 2 \\pi \\cdot {sp.latex(radius)}')
    s.steps[:0] = pre
    return s


@rule('rectangle', ASK + r'(?P<what>area|perimeter)' + OF + r'(?P<shape>rectangle)' + WITH + r' (?:a )?(?:length|base) (?:of )?(?P<a>' + L + ')' + UNIT + r',? (?:and )?(?:a )?(?:width|height|breadth) (?:of )?(?P<b>' + L + ')' + UNIT + '$',
      ASK + r'(?P<what>area|perimeter)' + OF + r'(?P<shape>rectangle) (?P<a>' + L + ')' + UNIT + r' (?:by|x|×) (?P<b>' + L + ')' + UNIT + '$',
      ASK + r'(?P<what>area|perimeter)' + OF + r'(?P<shape>square)' + WITH + r' (?:a )?side(?: length)? (?:of )?(?P<a>' + L + ')' + UNIT + '$')
def rectangle(p):
    a = _len(p.groups['a'], 'side')
    b = _len(p.groups['b'], 'side') if p.groups.get('b') else a
    square = p.groups['shape'] == 'square'
    if p.groups['what'] == 'area':
        value = a * b
        formula = r'A = s^2' if square else r'A = l \cdot w'
        return _result('area', 'square-area' if square else 'rectangle-area', formula, f'The area of a {p.groups["shape"]} is ${formula}$.', value, p,
                       f'A = {sp.latex(a)}^2' if square else f'A = {sp.latex(a)} \\cdot {sp.latex(b)}')
    value = 2 * (a + b)
    formula = r'P = 4 s' if square else r'P = 2(l + w)'
    return _result('perimeter', 'square-perimeter' if square else 'rectangle-perimeter', formula, f'The perimeter of a {p.groups["shape"]} is ${formula}$.', value, p,
                   f'P = 4 \\cdot {sp.latex(a)}' if square else f'P = 2({sp.latex(a)} + {sp.latex(b)})')


@rule('triangle', ASK + r'area' + OF + r'triangle' + WITH + r' (?:a )?base (?:of )?(?P<b>' + L + ')' + UNIT + r',? (?:and )?(?:a )?height (?:of )?(?P<h>' + L + ')' + UNIT + '$',
      ASK + r'perimeter' + OF + r'triangle' + WITH + r' sides? (?:of )?(?:lengths? )?(?P<a>' + L + r')' + UNIT + r', (?P<b>' + L + ')' + UNIT + r',? and (?P<c>' + L + ')' + UNIT + '$')
def triangle(p):
    if p.groups.get('h'):
        b, h = _len(p.groups['b'], 'base'), _len(p.groups['h'], 'height')
        return _result('area', 'triangle-area', r'A = \frac{1}{2} b h', 'The area of a triangle is half its base times its height: $A = \\frac{1}{2} b h$.',
                       b * h / 2, p, f'A = \\frac{{1}}{{2}} \\cdot {sp.latex(b)} \\cdot {sp.latex(h)}')
    a, b, c = (_len(p.groups[k], 'side') for k in 'abc')
    x, y, z = sorted([a, b, c])
    if x + y <= z:
        raise BadInput(f'No triangle has the sides {p.groups["a"]}, {p.groups["b"]} and {p.groups["c"]}: the two shorter sides must add up to more than the longest.')
    return _result('perimeter', 'triangle-perimeter', r'P = a + b + c', 'The perimeter is the sum of the sides.', a + b + c, p,
                   f'P = {sp.latex(a)} + {sp.latex(b)} + {sp.latex(c)}')


@rule('solid', ASK + r'volume' + OF + r'(?P<shape>sphere|ball)' + WITH + r' (?:a )?(?P<by>radius|diameter) (?:of )?(?P<r>' + L + ')' + UNIT + '$',
      ASK + r'volume' + OF + r'(?P<shape>cylinder|cone)' + WITH + r' (?:a )?(?P<by>radius|diameter) (?:of )?(?P<r>' + L + ')' + UNIT + r',? and (?:a )?height (?:of )?(?P<h>' + L + ')' + UNIT + '$',
      ASK + r'volume' + OF + r'(?P<shape>cube)' + WITH + r' (?:a )?(?:side|edge)(?: length)? (?:of )?(?P<a>' + L + ')' + UNIT + '$',
      ASK + r'volume' + OF + r'(?P<shape>box|rectangular (?:box|prism)|cuboid)' + WITH + r' (?:a )?length (?:of )?(?P<a>' + L + ')' + UNIT + r', (?:a )?width (?:of )?(?P<b>' + L + ')' + UNIT + r',? and (?:a )?height (?:of )?(?P<c>' + L + ')' + UNIT + '$',
      ASK + r'volume' + OF + r'(?P<shape>box|rectangular (?:box|prism)|cuboid) (?:measuring )?(?P<a>' + L + ')' + UNIT + r' (?:by|x|×) (?P<b>' + L + ')' + UNIT + r' (?:by|x|×) (?P<c>' + L + ')' + UNIT + '$')
def solid(p):
    shape = p.groups['shape']
    if shape in ('sphere', 'ball', 'cylinder', 'cone'):
        r = _len(p.groups['r'], p.groups['by'])
        r = r / 2 if p.groups['by'] == 'diameter' else r
        if shape in ('sphere', 'ball'):
            return _result('volume', 'sphere-volume', r'V = \frac{4}{3} \pi r^3', 'The volume of a sphere is $V = \\frac{4}{3}\\pi r^3$.', sp.Rational(4, 3) * sp.pi * r ** 3, p,
                           f'V = \\frac{{4}}{{3}} \\pi \\cdot {sp.latex(r)}^3')
        h = _len(p.groups['h'], 'height')
        if shape == 'cylinder':
            return _result('volume', 'cylinder-volume', r'V = \pi r^2 h', 'The volume of a cylinder is $V = \\pi r^2 h$.', sp.pi * r ** 2 * h, p,
                           f'V = \\pi \\cdot {sp.latex(r)}^2 \\cdot {sp.latex(h)}')
        return _result('volume', 'cone-volume', r'V = \frac{1}{3} \pi r^2 h', 'The volume of a cone is $V = \\frac{1}{3}\\pi r^2 h$.', sp.pi * r ** 2 * h / 3, p,
                       f'V = \\frac{{1}}{{3}} \\pi \\cdot {sp.latex(r)}^2 \\cdot {sp.latex(h)}')
    a = _len(p.groups['a'], 'side')
    if shape == 'cube':
        return _result('volume', 'cube-volume', r'V = s^3', 'The volume of a cube is $V = s^3$.', a ** 3, p, f'V = {sp.latex(a)}^3')
    b, c = _len(p.groups['b'], 'width'), _len(p.groups['c'], 'height')
    return _result('volume', 'box-volume', r'V = l w h', 'The volume of a box is length times width times height: $V = l w h$.', a * b * c, p,
                   f'V = {sp.latex(a)} \\cdot {sp.latex(b)} \\cdot {sp.latex(c)}')


@rule('pythagoras', ASK + r'(?:length of the )?hypotenuse' + OF + r'right(?:-angled)? triangle' + WITH + r' legs? (?:of )?(?:lengths? )?(?P<a>' + L + ')' + UNIT + r' and (?P<b>' + L + ')' + UNIT + '$',
      r'^(?:a |the )?right(?:-angled)? triangle has legs? (?:of )?(?:lengths? )?(?P<a>' + L + ')' + UNIT + r' and (?P<b>' + L + ')' + UNIT + r'[.,] (?:what is|find|how long is) (?:the length of )?the hypotenuse$',
      r'^(?:a |the )?right(?:-angled)? triangle has (?:a )?hypotenuse (?:of )?(?:length )?(?P<c>' + L + ')' + UNIT + r' and (?:a|one) leg (?:of )?(?:length )?(?P<a>' + L + ')' + UNIT + r'[.,] (?:what is|find|how long is) (?:the length of )?the other leg$')
def pythagoras(p):
    a = _len(p.groups['a'], 'leg')
    if p.groups.get('c'):
        c = _len(p.groups['c'], 'hypotenuse')
        if c <= a:
            raise BadInput('The hypotenuse must be longer than each leg.')
        value = sp.sqrt(c ** 2 - a ** 2)
        return _result('pythagoras', 'pythagoras', r'a^2 + b^2 = c^2', 'Pythagoras: $a^2 + b^2 = c^2$, so the other leg is $b = \\sqrt{c^2 - a^2}$.', value, p,
                       f'b = \\sqrt{{{sp.latex(c)}^2 - {sp.latex(a)}^2}}')
    b = _len(p.groups['b'], 'leg')
    value = sp.sqrt(a ** 2 + b ** 2)
    return _result('pythagoras', 'pythagoras', r'a^2 + b^2 = c^2', 'Pythagoras: $a^2 + b^2 = c^2$, so the hypotenuse is $c = \\sqrt{a^2 + b^2}$.', value, p,
                   f'c = \\sqrt{{{sp.latex(a)}^2 + {sp.latex(b)}^2}}')
