"""The calculator tool: exact results, refusals of unsafe or oversized input, the time-limit backstop."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import sympy as sp
from pydantic import ValidationError

from tools.calculator import Calculator, CalculatorConfig
from tools.safe_math import SafeMathError, evaluate, parse_expression

# The refusals are static or cheap; this bounds a hang, it is not a benchmark.
SANITY_SECONDS = 5.0


@pytest.fixture(scope="module")
def calculator() -> Iterator[Calculator]:
    with Calculator() as tool:
        yield tool


def value_of(calculator: Calculator, expression: str) -> dict[str, Any]:
    result = calculator.call({"expression": expression})
    assert result.ok, result.error
    return result.value


def error_of(calculator: Calculator, expression: str) -> str:
    result = calculator.call({"expression": expression})
    assert not result.ok, result.value
    return result.error


@pytest.mark.parametrize(
    ("expression", "exact"),
    [
        ("2+3*4", "14"),
        ("1/3 + 1/6", "1/2"),
        ("sqrt(8)", "2*sqrt(2)"),
        ("2^10", "1024"),
        ("2^3 + 1", "9"),  # ^ binds like **, not like Python's xor
        ("factorial(20)", "2432902008176640000"),
        ("gcd(12, 18)", "6"),
        ("lcm(4, 6, 10)", "60"),
        ("binomial(10, 3)", "120"),
        ("choose(10, 3)", "120"),
        ("permutations(5, 2)", "20"),
        ("log(8, 2)", "3"),
        ("log(E**3)", "3"),
        ("cbrt(-8)", "-2"),
        ("7 // 2", "3"),
        ("mod(7, 3)", "1"),
        ("sin(pi/6)", "1/2"),
        ("diff(x**3, x)", "3*x**2"),
        ("diff(x**5, x, 3)", "60*x**2"),
        ("integrate(2*x, x)", "x**2"),
        ("integrate(x, x, 0, 2)", "2"),
        ("integrate(exp(-x**2), x, -oo, oo)", "sqrt(pi)"),
        ("expand((x + 1)**2)", "x**2 + 2*x + 1"),
        ("factor(x**2 - 1)", "(x - 1)*(x + 1)"),
        ("simplify(sin(x)**2 + cos(x)**2)", "1"),
        ("limit(sin(x)/x, x, 0)", "1"),
        ("x + 1 == 3", "Eq(x + 1, 3)"),
        ("factorint(360)", "2**3 * 3**2 * 5"),
        ("isprime(97)", "True"),
    ],
)
def test_exact_results(calculator: Calculator, expression: str, exact: str) -> None:
    assert value_of(calculator, expression)["result"] == exact


def test_decimals_are_exact(calculator: Calculator) -> None:
    value = value_of(calculator, "0.1 + 0.2")
    assert value["result"] == "3/10"
    assert value["numeric"] == 0.3


def test_numeric_approximation_has_15_digits(calculator: Calculator) -> None:
    value = value_of(calculator, "1/3")
    assert (value["result"], value["numeric"]) == ("1/3", 0.333333333333333)
    assert value_of(calculator, "2^10")["numeric"] == 1024.0


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        ("6*7", "42"),
        ("5000*(1 + 6/100)**4", "6312.3848"),
        ("19/24", "19/24 (about 0.7916667)"),
        ("1/2**10", "0.0009765625"),
        ("1/2**20", "0.0000009536743 (exactly 0.00000095367431640625)"),
        ("sqrt(50)", "5*sqrt(2) (about 7.071068)"),
        ("334/1643*100", "33400/1643 (about 20.32867)"),
        ("10**6/3", "1000000/3 (about 333333.3333)"),
        ("sqrt(-4)", "2*I"),
        ("factorint(360)", "2**3 * 3**2 * 5"),
    ],
)
def test_text_is_the_value_as_an_answer_states_it(calculator: Calculator, expression: str, text: str) -> None:
    assert value_of(calculator, expression)["text"] == text


@pytest.mark.parametrize("expression",
                         ["sqrt(547)", "63/1416*100", "(112 + 31 + 88 + 98 + 54 + 87)/6", "1/7000", "pi*10**7"])
def test_approximate_text_is_within_a_millionth(calculator: Calculator, expression: str) -> None:
    # Evaluation holds an answer's final number to 1e-6 (relative); an answer copies this text.
    value = value_of(calculator, expression)
    about = float(value["text"].rsplit("about ", 1)[1].rstrip(")"))
    assert about != value["numeric"]
    assert abs(about - value["numeric"]) <= 1e-6 * abs(value["numeric"])


def test_non_real_result_has_no_numeric(calculator: Calculator) -> None:
    value = value_of(calculator, "sqrt(-4)")
    assert (value["result"], value["numeric"]) == ("2*I", None)


def test_expression_is_normalised(calculator: Calculator) -> None:
    assert value_of(calculator, " 2^10 ")["expression"] == "2**10"


@pytest.mark.parametrize(
    ("expression", "normalised", "result"),
    [
        ("1,249*(1 + 21/100)", "1249*(1 + 21/100)", "151129/100"),
        ("(1,000 + 5)*2", "(1000 + 5)*2", "2010"),
        ("52,800.50 - 800", "52800.50 - 800", "104001/2"),
        ("gcd(84,126)", "gcd(84,126)", "42"),  # a call's comma separates its arguments
    ],
)
def test_digit_grouping_outside_calls_is_read_as_one_number(
    calculator: Calculator, expression: str, normalised: str, result: str
) -> None:
    value = value_of(calculator, expression)
    assert (value["expression"], value["result"]) == (normalised, result)


def test_a_comma_that_is_not_digit_grouping_is_still_refused(calculator: Calculator) -> None:
    assert "tuples are not allowed" in error_of(calculator, "1,2345")
    assert "takes 1 argument" in error_of(calculator, "sqrt(1,124)")


def test_big_exact_integers_print(calculator: Calculator) -> None:
    # 5736 digits: beyond Python's default 4300-digit limit for printing ints.
    result = value_of(calculator, "factorial(2000)")["result"]
    assert (len(result), result[:12], result[-3:]) == (5736, "331627509245", "000")


def test_long_sums_are_allowed(calculator: Calculator) -> None:
    assert value_of(calculator, "+".join(["1"] * 150))["result"] == "150"


@pytest.mark.parametrize(
    ("expression", "solutions"),
    [
        ("solve(x**2 - 4, x)", ["-2", "2"]),
        ("solve(Eq(2*x + 1, 5), x)", ["2"]),
        ("solve(x**2 = 9, x)", ["-3", "3"]),  # a lone = means an equation
    ],
)
def test_solve_lists_solutions(calculator: Calculator, expression: str, solutions: list[str]) -> None:
    value = value_of(calculator, expression)
    assert value["result"] == solutions
    assert value["numeric"] == [float(sp.Rational(s)) for s in solutions]


def test_solve_with_several_unknowns_names_them(calculator: Calculator) -> None:
    value = value_of(calculator, "solve(x + y - 3, x, y)")
    assert value["result"] == [{"x": "3 - y"}]


def test_solve_inequality_gives_the_solution_set(calculator: Calculator) -> None:
    assert value_of(calculator, "solve(x**2 < 4, x)")["result"] == "(-2 < x) & (x < 2)"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1/0", "division by zero"),
        ("7 % 0", "division by zero"),
        ("0**-1", "undefined"),
        ("oo - oo", "undefined"),
    ],
)
def test_undefined_results_are_errors(calculator: Calculator, expression: str, message: str) -> None:
    assert message in error_of(calculator, expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("9**9**9**9", "digits"),
        ("factorial(10**9)", "digits"),
        ("2**(10**10)", "digits"),
        ("2**2**2**2**2**2", "digits"),
        ("binomial(10**9, 5*10**8)", "digits"),
        ("permutations(10**9, 10**5)", "digits"),
        ("(2*x)**(10**9)", "digits"),
        ("1e100000000", "digits"),
        ("__import__('os')", "'__import__' is not allowed"),
        ("().__class__", "attribute access ('.__class__') is not allowed"),
        ("x.real", "attribute access ('.real') is not allowed"),
        ("open('x')", "unknown function 'open'"),
        ("(lambda: 1)()", "lambda functions are not allowed"),
        ("'a' + 'b'", "strings are not allowed"),
        ("[i for i in x]", "comprehensions are not allowed"),
        ("x[0]", "subscripts"),
        ("sqrt(**x)", "keyword arguments are not allowed"),
        ("sin(solve(x, x))", "must be the whole expression"),
        ("sqrt", "is a function"),
        ("sqrt(1, 2)", "takes 1 argument"),
        ("-" * 300 + "1", "nested"),
        ("2x", "syntax error"),
    ],
)
def test_refusals_are_quick_and_say_why(calculator: Calculator, expression: str, message: str) -> None:
    started = time.monotonic()
    assert message in error_of(calculator, expression)
    assert time.monotonic() - started < SANITY_SECONDS


def test_oversized_input_is_refused(calculator: Calculator) -> None:
    started = time.monotonic()
    assert "over the limit of 1000" in error_of(calculator, "1+" * 50_000 + "1")
    assert time.monotonic() - started < SANITY_SECONDS


def test_slow_calculation_is_cut_off_and_the_worker_recovers() -> None:
    # A 61-digit semiprime passes every static bound, but factoring it takes far longer than 0.25 s.
    semiprime = sp.nextprime(10**30) * sp.nextprime(10**31)
    with Calculator(CalculatorConfig(timeout_s=0.25)) as tool:
        assert value_of(tool, "1 + 1")["result"] == "2"
        started = time.monotonic()
        assert error_of(tool, f"factorint({semiprime})") == "the calculation took longer than 0.25 s; refused"
        assert time.monotonic() - started < SANITY_SECONDS
        assert value_of(tool, "2 + 2")["result"] == "4"


def test_closed_calculator_starts_a_new_worker_when_called() -> None:
    tool = Calculator()
    assert value_of(tool, "6*7")["result"] == "42"
    tool.close()
    assert value_of(tool, "6*7")["result"] == "42"
    tool.close()


def test_arguments_are_validated_against_the_schema(calculator: Calculator) -> None:
    assert "'expression' is a required property" in calculator.call({}).error
    assert calculator.call({"expression": 3}).error is not None
    assert calculator.call({"expression": "1", "unit": "m"}).error is not None


def test_results_and_errors_are_json_messages(calculator: Calculator) -> None:
    value = calculator.call({"expression": "1/3"})
    assert json.loads(value.to_message()) == {"result": value.value}
    error = calculator.call({"expression": "1/0"})
    assert json.loads(error.to_message()) == {"error": "division by zero"}


def test_tool_contract() -> None:
    jsonschema.Draft202012Validator.check_schema(Calculator.parameters)
    assert Calculator.name == "calculator"
    assert (Calculator.side_effects, Calculator.local) == (False, True)
    assert "exact arithmetic and algebra" in Calculator.description.lower()


def test_config_rejects_unknown_keys_and_bad_limits() -> None:
    with pytest.raises(ValidationError):
        CalculatorConfig(timeout=2.0)
    with pytest.raises(ValidationError):
        CalculatorConfig(timeout_s=0)


def test_evaluate_runs_in_process_without_a_worker() -> None:
    assert evaluate("1/3 + 1/6").value == sp.Rational(1, 2)
    with pytest.raises(SafeMathError, match="digits"):
        evaluate("9**9**9**9")


def test_node_budget_is_enforced() -> None:
    with pytest.raises(SafeMathError, match="more than 500 parts"):
        parse_expression(f"max({', '.join(['1'] * 600)})")
