"""Exact arithmetic and algebra over a whitelisted subset of Python expression syntax.

Nothing here hands text to `eval`, `exec` or `sympify` (sympy's own parser calls `eval`). The input is
parsed with `ast.parse(mode="eval")`, every node is checked against a whitelist, and the allowed nodes are
translated one by one into sympy objects. Before an operation that could build an astronomically large
exact number (a power, factorial, binomial, permutations) its size is estimated from the already
translated operands and refused past `MAX_DIGITS`; every intermediate number is checked after the fact.

`tools.calculator` runs `evaluate` in a worker process, under a wall-clock limit, as a second guard.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Any, Callable

import sympy as sp

#: Largest exact number an expression may build, in decimal digits (numerator plus denominator).
MAX_DIGITS = 100_000
#: Most AST nodes an expression may have.
MAX_NODES = 500
#: Deepest nesting of AST nodes an expression may have; a sum of n terms nests n deep. Translation
#: recurses two frames per level, well inside Python's default limit of 1000.
MAX_DEPTH = 200
#: Most significant digits `N`/`evalf`/`round` may ask for.
MAX_EVALF_DIGITS = 1_000
#: Highest derivative order `diff` accepts.
MAX_DERIVATIVE_ORDER = 100
#: Longest variable name, so that misspelt function names are not silently taken for symbols.
MAX_NAME_CHARS = 16

_SYMBOL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# A lone `=` (people write `x + 1 = 3`); `==`, `<=`, `>=` and `!=` are left alone.
_LONE_EQUALS = re.compile(r"(?<![=<>!])=(?!=)")
_TYPOGRAPHY = str.maketrans({"×": "*", "·": "*", "÷": "/", "−": "-", "π": "pi"})
#: A number written with digit grouping as staff write amounts: 1,249 and 52,800.50.
_GROUPED_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w.,])")


class SafeMathError(ValueError):
    """An expression that is refused or cannot be evaluated; the message is meant for the model."""


@dataclass(frozen=True)
class ParsedExpression:
    """An expression that passed the static checks."""

    tree: ast.Expression
    #: The normalised text `tree` was parsed from, e.g. `2**10` for `2^10`; decimals are read back from it.
    source: str


@dataclass(frozen=True)
class Evaluation:
    """The exact value of an expression."""

    #: The normalised input.
    expression: str
    #: A sympy object; for solve, a list (see `_solve`); for factorint, {prime: multiplicity}.
    value: Any


# ----------------------------------------------------------------------------------------------------
# Static checks: syntax whitelist, size of the tree


@dataclass(frozen=True)
class MathFunction:
    """A function expressions may call: how to apply it and how many arguments it takes."""

    apply: Callable[..., Any]
    min_args: int = 1
    max_args: int | None = 1  # None: any number
    #: Its value is not a sympy expression (a list, a dict), so it cannot be an argument of anything.
    top_level_only: bool = False


_CONSTANTS: dict[str, sp.Basic] = {"pi": sp.pi, "E": sp.E, "e": sp.E, "I": sp.I, "oo": sp.oo, "inf": sp.oo}

_BINARY_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: sp.Eq,
    ast.NotEq: sp.Ne,
    ast.Lt: sp.Lt,
    ast.LtE: sp.Le,
    ast.Gt: sp.Gt,
    ast.GtE: sp.Ge,
}
_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Subscript: "subscripts ('[...]')",
    ast.Lambda: "lambda functions",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.JoinedStr: "f-strings",
    ast.BoolOp: "'and' / 'or'",
    ast.IfExp: "conditional expressions",
    ast.NamedExpr: "assignment expressions (':=')",
    ast.Starred: "'*' unpacking",
    ast.Await: "'await'",
}


def parse_expression(text: str) -> ParsedExpression:
    """Parse `text` and check it against the whitelist, the node budget and the depth limit.

    Normalisation: `^` means power (with the precedence of `**`), a lone `=` means `==`, the
    typographic signs × · ÷ − mean * * / -, and digit grouping outside a function's arguments is dropped
    (see `_ungrouped`). Raises SafeMathError naming what is not allowed.
    """
    source = _ungrouped(_LONE_EQUALS.sub("==", text.strip().translate(_TYPOGRAPHY).replace("^", "**")))
    if not source:
        raise SafeMathError("the expression is empty")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise SafeMathError(_syntax_message(exc)) from None
    except (RecursionError, MemoryError):
        raise SafeMathError("the expression is too deeply nested") from None
    _check_tree(tree)
    return ParsedExpression(tree=tree, source=source)


def _ungrouped(source: str) -> str:
    """`source` with the commas of grouped numbers dropped ("1,249*1.21" -> "1249*1.21"), except between a
    function's parentheses, where a comma separates arguments (gcd(84,126) stays two numbers).

    Outside a call such a comma could only make a tuple, which is refused, so reading it as digit grouping
    changes no expression that would otherwise be accepted.
    """
    pieces, copied = [], 0
    for match in _GROUPED_NUMBER.finditer(source):
        if _inside_call(source, match.start()):
            continue
        pieces += [source[copied : match.start()], match.group(0).replace(",", "")]
        copied = match.end()
    return "".join(pieces) + source[copied:]


def _inside_call(source: str, position: int) -> bool:
    """Whether `position` lies between the parentheses of a call (a name, then "(")."""
    calls: list[bool] = []  # one entry per open parenthesis: does it open a call's arguments?
    for index, char in enumerate(source[:position]):
        if char == "(":
            before = source[:index].rstrip()[-1:]
            calls.append(before.isalnum() or before == "_")
        elif char == ")" and calls:
            calls.pop()
    return any(calls)


def _syntax_message(exc: SyntaxError) -> str:
    message = f"syntax error: {exc.msg} (column {exc.offset})"
    if "decimal literal" in exc.msg or "comma" in exc.msg:
        message += "; write products explicitly, e.g. 2*x"
    return message


def _check_tree(tree: ast.Expression) -> None:
    """Walk the tree without recursion (it may be deep) and refuse anything outside the whitelist."""
    stack: list[tuple[ast.expr, int]] = [(tree.body, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise SafeMathError(f"the expression has more than {MAX_NODES} parts; refused")
        if depth > MAX_DEPTH:
            raise SafeMathError(f"the expression is nested more than {MAX_DEPTH} levels deep; refused")
        for child in _checked_children(node, top_level=node is tree.body):
            stack.append((child, depth + 1))


def _checked_children(node: ast.expr, top_level: bool) -> list[ast.expr]:
    """Refuse `node` unless it is allowed; return the sub-expressions still to check."""
    if isinstance(node, ast.Constant):
        _check_constant(node)
        return []
    if isinstance(node, ast.Name):
        _check_name(node.id)
        return []
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.UAdd, ast.USub)):
            raise SafeMathError(f"the operator {_operator_text(node.op)} is not allowed")
        return [node.operand]
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, _BINARY_OPERATORS):
            raise SafeMathError(f"the operator {_operator_text(node.op)} is not allowed")
        return [node.left, node.right]
    if isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARISONS:
                raise SafeMathError(f"the operator {_operator_text(op)} is not allowed")
        return [node.left, *node.comparators]
    if isinstance(node, ast.Call):
        _check_call(node, top_level)
        return list(node.args)
    if isinstance(node, ast.Attribute):
        raise SafeMathError(f"attribute access ('.{node.attr}') is not allowed")
    what = _REFUSED_NODES.get(type(node), f"{type(node).__name__} expressions")
    raise SafeMathError(f"{what} are not allowed")


def _operator_text(op: ast.AST) -> str:
    symbols = {
        ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@",
        ast.Not: "not", ast.Invert: "~", ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    }  # fmt: skip
    return f"'{symbols.get(type(op), type(op).__name__)}'"


def _check_constant(node: ast.Constant) -> None:
    if isinstance(node.value, (str, bytes)):
        raise SafeMathError("strings are not allowed, only numbers")
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float, complex)):
        raise SafeMathError(f"the constant {node.value!r} is not allowed, only numbers")


def _check_name(name: str) -> None:
    if name in _CONSTANTS:
        return
    if name.startswith("_"):
        raise SafeMathError(f"the name '{name}' is not allowed")
    if name in FUNCTIONS:
        raise SafeMathError(f"'{name}' is a function; call it like {name}(...)")
    if len(name) > MAX_NAME_CHARS or not _SYMBOL_NAME.fullmatch(name):
        raise SafeMathError(
            f"the name '{name}' is not allowed: variables are letters, digits and '_', "
            f"at most {MAX_NAME_CHARS} characters"
        )


def _check_call(node: ast.Call, top_level: bool) -> None:
    if not isinstance(node.func, ast.Name):
        _checked_children(node.func, top_level=False)  # names what is refused: a lambda, an attribute...
        raise SafeMathError("only the allowed functions can be called, by name; write products as 2*(x+1)")
    name = node.func.id
    if name.startswith("_"):
        raise SafeMathError(f"the name '{name}' is not allowed")
    function = FUNCTIONS.get(name)
    if function is None:
        raise SafeMathError(f"unknown function '{name}'; allowed functions: {', '.join(sorted(FUNCTIONS))}")
    if node.keywords:
        raise SafeMathError(f"keyword arguments are not allowed (in {name}(...))")
    given = len(node.args)
    if given < function.min_args or (function.max_args is not None and given > function.max_args):
        raise SafeMathError(f"{name} takes {_arity_text(function)} ({given} given)")
    if function.top_level_only and not top_level:
        raise SafeMathError(f"{name}(...) must be the whole expression, not part of one")


def _arity_text(function: MathFunction) -> str:
    low, high = function.min_args, function.max_args
    if high is None:
        return f"at least {low} arguments"
    if low == high:
        return f"{low} argument" + ("s" if low != 1 else "")
    return f"{low} to {high} arguments"


# ----------------------------------------------------------------------------------------------------
# Size guards: refuse numbers too large to build, before sympy builds them


def _log10_size(number: sp.Rational) -> float:
    """Decimal digits of numerator plus denominator (a float; huge ints are fine for math.log10)."""
    numerator = math.log10(abs(number.p)) if number.p else 0.0
    return numerator + math.log10(number.q)


def _approx_abs(value: sp.Expr) -> float:
    """|value| as a float, inf beyond float range or when it does not reduce to a number."""
    try:
        return abs(complex(value.evalf(15)))
    except (TypeError, OverflowError):
        return math.inf


def _refuse_digits(what: str, digits: float) -> None:
    if digits > MAX_DIGITS:
        amount = "more than 1e308" if math.isinf(digits) else f"about {digits:.3g}"
        raise SafeMathError(f"{what} would have {amount} digits (limit {MAX_DIGITS}); refused")


def _check_size(value: sp.Basic) -> None:
    """Refuse a value holding an exact number over the digit limit."""
    for number in value.atoms(sp.Rational):
        _refuse_digits("the result", _log10_size(number))


def _check_defined(value: sp.Basic) -> None:
    if value.has(sp.zoo):
        raise SafeMathError("the result is undefined (complex infinity, e.g. from 0**-1 or log(0))")
    if value.has(sp.nan):
        raise SafeMathError("the result is undefined (NaN, e.g. from 0*oo or oo - oo)")


def _power_base_size(base: sp.Expr) -> float:
    """Digits per unit of exponent that sympy may spend on the exact number in base**n.

    sympy evaluates numeric powers and distributes integer powers over numeric factors of a product
    ((2*x)**n -> 2**n*x**n); a sum or a bare symbol stays unevaluated.
    """
    if base.is_number:
        factors = [base]
    elif base.is_Mul:
        factors = [factor for factor in base.args if factor.is_number]
    else:
        return 0.0
    return sum(_log10_size(number) for factor in factors for number in factor.atoms(sp.Rational))


def _power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    if exponent.is_number:
        size = _power_base_size(base)
        if size > 0.0:
            _refuse_digits("the power", size * _approx_abs(exponent))
    return base**exponent


def _factorial(n: sp.Expr) -> sp.Expr:
    if n.is_number and n.is_real and n > 0:
        _refuse_digits("the factorial", math.lgamma(_approx_abs(n) + 1) / math.log(10))
    return sp.factorial(n)


def _count_bound(n: sp.Expr, k: sp.Expr, falling: bool) -> None:
    """Refuse binomial(n, k) or permutations(n, k) whose value would be too large.

    Upper bounds: n!/(n-k)! <= n**k, and binomial(n, m) <= (e*n/m)**m with m = min(k, n-k).
    """
    if not all(value.is_number and value.is_real for value in (n, k)):
        return
    size_n, size_k = _approx_abs(n), _approx_abs(k)
    if falling:
        if size_k >= 1:
            _refuse_digits("permutations", size_k * math.log10(size_n + size_k))
        return
    m = min(size_k, size_n - size_k) if n >= k >= 0 else size_k
    if m >= 1:
        _refuse_digits("the binomial", m * math.log10(math.e * (size_n + m) / m))


def _binomial(n: sp.Expr, k: sp.Expr) -> sp.Expr:
    _count_bound(n, k, falling=False)
    return sp.binomial(n, k)


def _permutations(n: sp.Expr, k: sp.Expr) -> sp.Expr:
    """Ordered selections of k out of n: n!/(n-k)!, the falling factorial."""
    _count_bound(n, k, falling=True)
    return sp.ff(n, k)


# ----------------------------------------------------------------------------------------------------
# The allowed functions


def _divide(numerator: sp.Expr, denominator: sp.Expr) -> sp.Expr:
    if denominator.is_zero:
        raise SafeMathError("division by zero")
    return numerator / denominator


def _mod(value: sp.Expr, modulus: sp.Expr) -> sp.Expr:
    if modulus.is_zero:
        raise SafeMathError("division by zero (modulo 0)")
    return sp.Mod(value, modulus)


def _digits_argument(name: str, digits: sp.Expr, lowest: int) -> int:
    if not (digits.is_Integer and lowest <= int(digits) <= MAX_EVALF_DIGITS):
        raise SafeMathError(f"{name}: digits must be an integer from {lowest} to {MAX_EVALF_DIGITS}")
    return int(digits)


def _numeric(value: sp.Expr, digits: sp.Expr = sp.Integer(15)) -> sp.Expr:
    """The value as a decimal with `digits` significant digits."""
    return value.evalf(_digits_argument("N", digits, lowest=1))


def _round(value: sp.Expr, digits: sp.Expr | None = None) -> sp.Expr:
    """Round half to even, like Python's round; with `digits`, to that many decimal places."""
    if not value.is_number:
        raise SafeMathError("round needs a number, not a symbolic expression")
    return value.round() if digits is None else value.round(_digits_argument("round", digits, lowest=0))


def _symbols(name: str, values: tuple[sp.Expr, ...]) -> None:
    for position, value in enumerate(values, start=2):
        if not isinstance(value, sp.Symbol):
            raise SafeMathError(f"{name}: argument {position} must be a variable name, got {value}")


def _diff(expression: sp.Expr, *variables: sp.Expr) -> sp.Expr:
    """diff(f), diff(f, x), diff(f, x, 2), diff(f, x, y): orders are small integers after a variable."""
    for position, value in enumerate(variables, start=2):
        is_order = value.is_Integer and position > 2 and 0 <= int(value) <= MAX_DERIVATIVE_ORDER
        if not (isinstance(value, sp.Symbol) or is_order):
            raise SafeMathError(
                f"diff: argument {position} must be a variable or an order from 0 to {MAX_DERIVATIVE_ORDER}"
            )
    return sp.diff(expression, *variables)


def _integrate(expression: sp.Expr, *limits: sp.Expr) -> sp.Expr:
    """integrate(f), integrate(f, x) or the definite integrate(f, x, lower, upper)."""
    if len(limits) == 3:
        _symbols("integrate", limits[:1])
        return sp.integrate(expression, (limits[0], limits[1], limits[2]))
    if len(limits) == 2:
        raise SafeMathError("integrate takes f, f and x, or f, x, lower and upper")
    _symbols("integrate", limits)
    return sp.integrate(expression, *limits)


def _limit(expression: sp.Expr, variable: sp.Expr, point: sp.Expr) -> sp.Expr:
    _symbols("limit", (variable,))
    return sp.limit(expression, variable, point)


def _solve(equation: sp.Basic, *variables: sp.Expr) -> list[Any] | sp.Basic:
    """Solutions of an equation (or of an expression equal to zero).

    For one unknown, a list of its values; for several, a list of {variable: value}; for an
    inequality, the solution set as a relation.
    """
    _symbols("solve", variables)
    solutions = sp.solve(equation, *variables, dict=True)
    if not isinstance(solutions, list):
        return solutions
    for value in (value for solution in solutions for value in solution.values()):
        _check_defined(value)
        _check_size(value)
    unknowns = variables or tuple(equation.free_symbols)
    if len(unknowns) == 1 and all(set(solution) == set(unknowns) for solution in solutions):
        return [solution[unknowns[0]] for solution in solutions]
    return solutions


def _isprime(n: sp.Expr) -> sp.Basic:
    if not n.is_Integer:
        raise SafeMathError("isprime needs an integer")
    return sp.true if sp.isprime(n) else sp.false


def _factorint(n: sp.Expr) -> dict[int, int]:
    if not n.is_Integer:
        raise SafeMathError("factorint needs an integer")
    return sp.factorint(n)


def _log(value: sp.Expr, base: sp.Expr | None = None) -> sp.Expr:
    """Natural logarithm, or the logarithm to `base`."""
    return sp.log(value) if base is None else sp.log(value, base)


FUNCTIONS: dict[str, MathFunction] = {
    "sqrt": MathFunction(sp.sqrt),
    "cbrt": MathFunction(lambda value: sp.real_root(value, 3)),
    "root": MathFunction(sp.real_root, 2, 2),
    "exp": MathFunction(sp.exp),
    "log": MathFunction(_log, 1, 2),
    "ln": MathFunction(sp.log),
    "log10": MathFunction(lambda value: sp.log(value, 10)),
    "log2": MathFunction(lambda value: sp.log(value, 2)),
    **{name: MathFunction(getattr(sp, name)) for name in (
        "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "acot",
        "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "floor", "ceiling", "sign",
    )},  # fmt: skip
    "atan2": MathFunction(sp.atan2, 2, 2),
    "ceil": MathFunction(sp.ceiling),
    "abs": MathFunction(sp.Abs),
    "round": MathFunction(_round, 1, 2),
    "factorial": MathFunction(_factorial),
    "binomial": MathFunction(_binomial, 2, 2),
    "choose": MathFunction(_binomial, 2, 2),
    "permutations": MathFunction(_permutations, 2, 2),
    "perm": MathFunction(_permutations, 2, 2),
    "gcd": MathFunction(lambda *values: reduce(sp.gcd, values), 2, None),
    "lcm": MathFunction(lambda *values: reduce(sp.lcm, values), 2, None),
    "mod": MathFunction(_mod, 2, 2),
    "remainder": MathFunction(_mod, 2, 2),
    "min": MathFunction(sp.Min, 1, None),
    "max": MathFunction(sp.Max, 1, None),
    "isprime": MathFunction(_isprime),
    "factorint": MathFunction(_factorint, top_level_only=True),
    "Eq": MathFunction(sp.Eq, 2, 2),
    "solve": MathFunction(_solve, 1, None, top_level_only=True),
    "simplify": MathFunction(sp.simplify),
    "expand": MathFunction(sp.expand),
    "factor": MathFunction(sp.factor),
    "diff": MathFunction(_diff, 1, None),
    "integrate": MathFunction(_integrate, 1, 4),
    "limit": MathFunction(_limit, 3, 3),
    "N": MathFunction(_numeric, 1, 2),
    "evalf": MathFunction(_numeric, 1, 2),
}


# ----------------------------------------------------------------------------------------------------
# Translation into sympy


class _Translator:
    """Turns a checked tree into sympy objects, checking every intermediate value."""

    def __init__(self, source: str) -> None:
        self._source = source

    def translate(self, node: ast.expr) -> Any:
        value = self._translate_node(node)
        if isinstance(value, sp.Basic):
            _check_defined(value)
            _check_size(value)
        return value

    def _translate_node(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            return _CONSTANTS[node.id] if node.id in _CONSTANTS else sp.Symbol(node.id)
        if isinstance(node, ast.UnaryOp):
            operand = self.translate(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return _binary(node.op, self.translate(node.left), self.translate(node.right))
        if isinstance(node, ast.Compare):
            values = [self.translate(node.left), *(self.translate(item) for item in node.comparators)]
            relations = [_COMPARISONS[type(op)](a, b) for op, a, b in zip(node.ops, values, values[1:])]
            return relations[0] if len(relations) == 1 else sp.And(*relations)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            arguments = [self.translate(argument) for argument in node.args]
            return FUNCTIONS[node.func.id].apply(*arguments)
        # Unreachable after parse_expression; kept so that translation alone never accepts more.
        raise SafeMathError(f"{type(node).__name__} expressions are not allowed")

    def _number(self, node: ast.Constant) -> sp.Expr:
        if isinstance(node.value, int):
            return sp.Integer(node.value)
        # Read decimals back from the source text: 0.1 is exactly 1/10, not the nearest binary float.
        text = ast.get_source_segment(self._source, node) or repr(node.value)
        if isinstance(node.value, complex):
            return _exact_decimal(text.rstrip("jJ")) * sp.I
        return _exact_decimal(text)


def _exact_decimal(text: str) -> sp.Rational:
    decimal = Decimal(text)
    _refuse_digits(f"the number {text}", abs(decimal.adjusted()) + len(decimal.as_tuple().digits))
    numerator, denominator = decimal.as_integer_ratio()
    return sp.Rational(numerator, denominator)


def _binary(op: ast.operator, left: sp.Expr, right: sp.Expr) -> sp.Expr:
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.Div):
        return _divide(left, right)
    if isinstance(op, ast.FloorDiv):
        return sp.floor(_divide(left, right))
    if isinstance(op, ast.Mod):
        return _mod(left, right)
    return _power(left, right)


def evaluate(text: str) -> Evaluation:
    """The exact value of `text`; raises SafeMathError when the expression is refused or undefined.

    Other exceptions come from sympy itself (NotImplementedError when it cannot solve, TypeError for
    comparisons of non-real numbers, ...); the caller turns them into messages.
    """
    parsed = parse_expression(text)
    return Evaluation(expression=parsed.source, value=_Translator(parsed.source).translate(parsed.tree.body))
