"""Pygments' regex lexers, driven faster: the same tokens, in about half the time.

Highlighting code is most of a long post's parse (a blog of 1,049 posts with 4,156 code
blocks: 4.8 of its 7.2 CPU seconds), and nearly all of it is `RegexLexer`'s loop, which tries
a state's rules one at a time, a Python call each, until one matches where the text is. Here a
state's rules are tried by one regular expression instead: consecutive rules are joined into
one alternation, `(?:rule1)()|(?:rule2)()|...`, whose branches Python's `re` tries in order,
as the loop does, so its match is the first rule's that matches; which rule it was is told by
the empty group after it, which closes last (`lastindex`). (A branch opening with its own
pattern, not a group, keeps `re`'s quick test of a first literal or character set.) The
tokens and state changes are then Pygments' own: a rule with a callback (`bygroups`, `using`)
is matched again alone, so the callback gets the match object it expects.

A rule that could mean something else inside a bigger expression stays alone, tried as
Pygments tries it: one with a back-reference or a named group (group numbers move in the
alternation), or flags that cannot be scoped to its branch. A lexer with its own loop
(`ExtendedRegexLexer`'s, any lexer not a `RegexLexer`) is left as it is. tests/test_fastlex.py
holds the two to the same tokens for every lexer Pygments has.

Lexing also runs to a budget of CPU time (`Budget`, `checked`): Pygments' regular expressions
are quadratic or worse on some text (C#'s on 10,000 lines of `a`, 34 s; Zeek's on a run of
16,000 digits, 15 s in one match; urbiscript's on a string of 40 backslashes, exponential), and
no count of tokens or characters tells such text from real code: the work is inside `re`, and
its tokens come at real code's pace. So in code of MIN_CHECKED characters or more the clock is
read between tokens, about every CHECK_SPAN characters a rule may have read (each token's match
may read the rest of the text); and in the main thread a CPU timer's signal stops a single
match that runs on (`re` runs signal handlers as it matches; in other threads, such as the
preview's builder, only the checks between tokens can stop lexing).
"""

from __future__ import annotations

import math
import re
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from pygments.lexer import ExtendedRegexLexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

# Back-references by number or name, conditionals and named groups: each of these names a
# group, whose number or name the alternation could change. Matched anywhere in a pattern's
# text (an escaped backslash before a digit too): a false match only leaves a rule alone.
_NAMES_A_GROUP = re.compile(r"\\[1-9]|\(\?P|\(\?\(|\(\?<(?![=!])")
_GLOBAL_FLAGS = re.compile(r"\(\?([aimsux]+)\)")  # at a pattern's start only (else re.error)
_MATCHERS = "_sitegen_matchers"  # a faster lexer class's tables, by state, made as first used

# Empty matches in a row, past the depth of the state stack where they began, that mean a
# lexer is stuck: Pygments' own loop never ends on some
# input (its MCSchema lexer on a line of HTML, in 2.19), pushing states forever. Real lexers
# make a few in a row (`default()` rules popping to an outer state), or one for each state on
# the stack when they unwind it.
MAX_STALLS = 10_000

Rule = tuple[Any, Any, Any]  # Pygments': (a pattern's match method, action, new state)
Matcher = tuple[Any, "dict[int, Rule] | Rule"]  # a joined pattern's match and its rules by
# group, or a rule alone's match method and that rule


CHECK_SPAN = 1 << 20  # characters: a 512 KiB block is checked every 2 tokens, 4 KiB every 256
MIN_CHECKED = 4096  # characters: shorter code (nearly all of it) is not checked between tokens
BACKSTOP = 0.5  # seconds past its budget the timer gives a step that has not come back

T = TypeVar("T")


class Stalled(Exception):
    """The lexer matched nothing, again and again, where the text is: it would never end."""


class OverBudget(Exception):
    """The lexer took longer than its budget on this text: its rules are slow on it."""


_LOCAL = threading.local()  # .deadline: the thread's CPU time (time.thread_time) to stop at


class Budget:
    """`with Budget(seconds) as spent:` lexing (`checked`) in this thread raises OverBudget
    once `seconds` of its CPU time have passed; `spent.seconds` is then the CPU time taken.
    One at a time in a thread (a highlighted block's)."""

    def __init__(self, seconds: float) -> None:
        self.limit, self.seconds = seconds, 0.0
        self._start, self._timed = 0.0, False

    def __enter__(self) -> Budget:
        self._start = time.thread_time()
        _LOCAL.deadline = self._start + self.limit
        self._timed = _arm(self.limit + BACKSTOP)
        return self

    def __exit__(self, *_: object) -> None:
        _LOCAL.deadline = math.inf
        if self._timed:
            _disarm()
        self.seconds = time.thread_time() - self._start


def checked(tokens: Iterable[T], length: int) -> Iterator[T]:
    """The tokens of a text of `length` characters, stopped with OverBudget once this
    thread's budget has passed. Below MIN_CHECKED characters, as they come: were each token's
    match to read all the rest, that is 1.4 s at worst (C#'s), and the timer still runs."""
    if length < MIN_CHECKED:
        return iter(tokens)
    return _checked(tokens, length)


def _checked(tokens: Iterable[T], length: int) -> Iterator[T]:
    deadline = getattr(_LOCAL, "deadline", math.inf)
    every = countdown = max(1, CHECK_SPAN // (length + 1))
    for token in tokens:
        countdown -= 1
        if not countdown:
            countdown = every
            if time.thread_time() > deadline:
                raise OverBudget(f"lexing {length:,} characters took longer than its budget")
        yield token


_CPU_TIMER = hasattr(signal, "setitimer") and hasattr(signal, "SIGVTALRM")  # not on Windows


class _Timer:
    armed = False


def _ring(signum: int, frame: object) -> None:
    if _Timer.armed:
        _Timer.armed = False  # raised once: a ring after this block is done is no error
        raise OverBudget("one step of the lexer ran past its budget")


def _arm(seconds: float) -> bool:
    """Start the CPU timer whose signal stops lexing; False where it cannot be used."""
    if not _CPU_TIMER or threading.current_thread() is not threading.main_thread():
        return False  # a signal's handler runs in the main thread
    handler = signal.getsignal(signal.SIGVTALRM)
    if handler is not _ring:
        if handler is not signal.SIG_DFL:
            return False  # someone else's timer: left alone
        signal.signal(signal.SIGVTALRM, _ring)  # left in place: unarmed, it does nothing
    _Timer.armed = True
    try:  # the process's CPU time in user mode (a budget spent already: at once)
        signal.setitimer(signal.ITIMER_VIRTUAL, max(seconds, 1e-3))
    except BaseException:
        _Timer.armed = False
        raise
    return True


def _disarm() -> None:
    _Timer.armed = False
    signal.setitimer(signal.ITIMER_VIRTUAL, 0)


class _Faster(RegexLexer):
    """`RegexLexer.get_tokens_unprocessed`, with each state's rules tried as `_tables` joined
    them."""

    def get_tokens_unprocessed(self, text: str, stack: Iterable[str] = ("root",),
                               ) -> Iterator[tuple[int, Any, str]]:
        pos = stalled = depth = 0
        tokendefs = self._tokens  # type: ignore[attr-defined]  # RegexLexerMeta's
        tables = type(self).__dict__[_MATCHERS]

        def matchers_of(state: str) -> list[Matcher]:  # on a state change, not every token
            return tables.get(state) or _tables(tables, state, tokendefs[state], self.flags)

        statestack = list(stack)
        matchers = matchers_of(statestack[-1])
        while 1:
            for match, rules in matchers:
                m = match(text, pos)
                if m:
                    if type(rules) is dict:
                        rexmatch, action, new_state = rules[m.lastindex]
                        if action is not None and type(action) is not _TokenType:
                            m = rexmatch(text, pos)  # the callback's own groups
                    else:
                        rexmatch, action, new_state = rules
                    if action is not None:
                        if type(action) is _TokenType:
                            yield pos, action, m.group()
                        else:
                            yield from action(self, m)
                    if m.end() == pos:  # an empty match: a state change, or a loop
                        if not stalled:
                            depth = len(statestack)
                        stalled += 1
                        # unwinding a deep stack makes one a level: more than that is a loop
                        if stalled > MAX_STALLS + depth:
                            raise Stalled(f"{type(self).__name__} stopped at {pos}")
                    else:
                        stalled = 0
                        pos = m.end()
                    if new_state is not None:
                        # state transition
                        if isinstance(new_state, tuple):
                            for step in new_state:
                                if step == "#pop":
                                    if len(statestack) > 1:
                                        statestack.pop()
                                elif step == "#push":
                                    statestack.append(statestack[-1])
                                else:
                                    statestack.append(step)
                        elif isinstance(new_state, int):
                            # pop, but keep at least one state on the stack
                            if abs(new_state) >= len(statestack):
                                del statestack[1:]
                            else:
                                del statestack[new_state:]
                        elif new_state == "#push":
                            statestack.append(statestack[-1])
                        else:
                            raise AssertionError(f"wrong state def: {new_state!r}")
                        matchers = matchers_of(statestack[-1])
                    break
            else:
                # no rule matched here
                stalled = 0  # one character is read below (or the text has ended)
                try:
                    if text[pos] == "\n":
                        # at EOL, reset state to "root"
                        statestack = ["root"]
                        matchers = matchers_of("root")
                        yield pos, Whitespace, "\n"
                        pos += 1
                        continue
                    yield pos, Error, text[pos]
                    pos += 1
                except IndexError:
                    break


_CLASSES: dict[type, type] = {}


def faster(lexer: Any) -> Any:
    """A lexer that gives `lexer`'s tokens, by `_Faster`'s loop where its class uses
    RegexLexer's (a subclass of its class: what it overrides is kept, and one that calls
    `super().get_tokens_unprocessed` gets `_Faster`'s); else `lexer` itself."""
    cls = type(lexer)
    if (not isinstance(lexer, RegexLexer) or isinstance(lexer, ExtendedRegexLexer)
            or lexer.filters or lexer.options or "_tokens" in vars(lexer)):
        return lexer  # filters, options or rules of its own (C#'s unicodelevel): kept as made
    sub = _CLASSES.get(cls)
    if sub is None:
        sub = _CLASSES[cls] = type(cls.__name__, (cls, _Faster), {
            _MATCHERS: {}, "__module__": cls.__module__, "__doc__": cls.__doc__})
    return sub()


def _tables(tables: dict[str, list[Matcher]], state: str, rules: Sequence[Rule],
            flags: int) -> list[Matcher]:
    """The state's matchers (made once a class): runs of rules that can be joined, joined."""
    base = re.compile("", flags).flags
    matchers: list[Matcher] = []
    run: list[tuple[str, Rule]] = []
    for rule in rules:
        branch = _branch(rule[0], base)
        if branch is not None:
            run.append((branch, rule))
            continue
        matchers += _joined(run, base)
        matchers.append((rule[0], rule))
        run = []
    matchers += _joined(run, base)
    tables[state] = matchers
    return matchers


def _branch(rexmatch: Any, base: int) -> str | None:
    """The rule's pattern as a branch of an alternation compiled with `base` flags, with its
    own flags scoped to it; None if it must stay alone."""
    pattern = getattr(rexmatch, "__self__", None)
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    body = pattern.pattern
    if _NAMES_A_GROUP.search(body):
        return None
    letters = ""
    while found := _GLOBAL_FLAGS.match(body):
        letters += found.group(1)
        body = body[found.end():]
    try:
        own = re.compile(f"(?{letters})", base).flags if letters else base
    except (re.error, ValueError):  # ValueError: (?a) against the str pattern's UNICODE
        return None
    if own != pattern.flags:
        return None
    # In verbose mode a comment runs to the end of its line: a newline ends the branch's
    end = "\n" if (pattern.flags & re.VERBOSE) else ""
    # Its own groups, then an empty one, which closes last: the branch's number (`_joined`)
    return f"(?{letters}:{body}{end})()" if letters else f"(?:{body}{end})()"


def _joined(run: list[tuple[str, Rule]], base: int) -> list[Matcher]:
    """The run of rules as one joined pattern (a single rule as itself)."""
    if len(run) < 2:
        return [(rule[0], rule) for _, rule in run]
    try:
        joined = re.compile("|".join(branch for branch, _ in run), base)
    except (re.error, RecursionError, OverflowError):
        return [(rule[0], rule) for _, rule in run]
    by_group: dict[int, Rule] = {}
    group = 0
    for _, rule in run:
        group += rule[0].__self__.groups + 1
        by_group[group] = rule
    if joined.groups != group:
        return [(rule[0], rule) for _, rule in run]
    return [(joined.match, by_group)]
