"""Coordinate geometry of two points: slope, distance, midpoint, the line through them; the line with a slope
through a point. Answers: a number, a point (x, y), or the line as y = mx + b (x = c when vertical)."""
import sympy as sp

from .steps import BadInput, Solution, step
from .rules import rule

C = r'-?\d+(?:\.\d+)?(?:/\d+)?'
P = r'\(\s*(?P<{0}x>' + C + r')\s*,\s*(?P<{0}y>' + C + r')\s*\)'
P1, P2 = P.format('p'), P.format('q')
ASK = r'^(?:find |what is |calculate |compute |determine |give |write )?(?:the )?'
TWO = r' (?:the )?(?:points )?' + P1 + r' and ' + P2


def _points(p):
    return [sp.Rational(p.groups[k]) for k in ('px', 'py', 'qx', 'qy')]


def _point(x, y):
    return f'({sp.latex(x)}, {sp.latex(y)})'


def _line(m, b):
    x = sp.Symbol('x')
    return 'y = ' + sp.latex(m * x + b)


@rule('slope', ASK + r'slope of the line (?:through|passing through|joining|containing|that passes through)' + TWO + '$',
      ASK + r'slope (?:between|of|through)' + TWO + '$')
def slope(p):
    x1, y1, x2, y2 = _points(p)
    if (x1, y1) == (x2, y2):
        raise BadInput('The two points are the same: they do not fix a line.')
    if x1 == x2:
        return Solution('coordinates', _point(x1, y1), [step('slope-formula', 'The slope is $m = \\frac{y_2 - y_1}{x_2 - x_1}$; here $x_2 - x_1 = 0$: the line is vertical.', '')],
                        r'\text{undefined}', 'The line is vertical: its slope is undefined.')
    m = (y2 - y1) / (x2 - x1)
    steps = [step('slope-formula', 'The slope is rise over run: $m = \\frac{y_2 - y_1}{x_2 - x_1}$.', f'm = \\frac{{{sp.latex(y2)} - ({sp.latex(y1)})}}{{{sp.latex(x2)} - ({sp.latex(x1)})}}'),
             step('evaluate', 'Evaluate.', f'm = {sp.latex(m)}')]
    return Solution('coordinates', f'{_point(x1, y1)}, {_point(x2, y2)}', steps, sp.latex(m))


@rule('distance', ASK + r'distance(?:, in units,)? between' + TWO + '$', ASK + r'length of the (?:line )?segment (?:from|joining|between) ' + P1 + r' (?:to|and) ' + P2 + '$')
def distance(p):
    x1, y1, x2, y2 = _points(p)
    d = sp.sqrt((x2 - x1) ** 2 + (y2 - y1) ** 2)
    steps = [step('distance-formula', 'The distance formula (Pythagoras): $d = \\sqrt{(x_2 - x_1)^2 + (y_2 - y_1)^2}$.',
                  f'd = \\sqrt{{({sp.latex(x2 - x1)})^2 + ({sp.latex(y2 - y1)})^2}}'),
             step('evaluate', 'Evaluate and simplify the root.', f'd = {sp.latex(d)}')]
    return Solution('coordinates', f'{_point(x1, y1)}, {_point(x2, y2)}', steps, sp.latex(d))


@rule('midpoint', ASK + r'midpoint (?:of the (?:line )?segment )?(?:between|of|joining|with endpoints|from)(?: the points)?' + TWO.replace(' and ', r' (?:and|to) ') + '$')
def midpoint(p):
    x1, y1, x2, y2 = _points(p)
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    steps = [step('midpoint-formula', 'The midpoint averages the coordinates: $\\left(\\frac{x_1 + x_2}{2}, \\frac{y_1 + y_2}{2}\\right)$.', _point(mx, my))]
    return Solution('coordinates', f'{_point(x1, y1)}, {_point(x2, y2)}', steps, _point(mx, my))


@rule('line-two-points', ASK + r'equation of the line (?:through|passing through|containing|that passes through)' + TWO + '$')
def line_two_points(p):
    x1, y1, x2, y2 = _points(p)
    if (x1, y1) == (x2, y2):
        raise BadInput('The two points are the same: they do not fix a line.')
    if x1 == x2:
        return Solution('coordinates', _point(x1, y1), [step('vertical-line', 'Both points have the same $x$: the line is vertical.', f'x = {sp.latex(x1)}')], f'x = {sp.latex(x1)}')
    m = (y2 - y1) / (x2 - x1)
    b = y1 - m * x1
    steps = [step('slope-formula', 'Slope: $m = \\frac{y_2 - y_1}{x_2 - x_1}$.', f'm = {sp.latex(m)}'),
             step('point-slope', 'Point-slope form through the first point: $y - y_1 = m(x - x_1)$; solve for $y$.', _line(m, b))]
    return Solution('coordinates', f'{_point(x1, y1)}, {_point(x2, y2)}', steps, _line(m, b))


@rule('line-slope-point', ASK + r'equation of the line (?:with|that has|having) (?:a )?slope (?P<m>' + C + r') (?:that )?(?:passing |passes |going )?through (?:the point )?' + P1 + '$',
      ASK + r'equation of the line (?:through|passing through) (?:the point )?' + P1 + r' with (?:a )?slope (?P<m>' + C + r')$')
def line_slope_point(p):
    m = sp.Rational(p.groups['m'])
    x1, y1 = sp.Rational(p.groups['px']), sp.Rational(p.groups['py'])
    b = y1 - m * x1
    steps = [step('point-slope', 'Point-slope form: $y - y_1 = m(x - x_1)$.', f'y - ({sp.latex(y1)}) = {sp.latex(m)}(x - ({sp.latex(x1)}))'),
             step('slope-intercept', 'Solve for $y$: slope-intercept form $y = mx + b$.', _line(m, b))]
    return Solution('coordinates', _point(x1, y1), steps, _line(m, b))
