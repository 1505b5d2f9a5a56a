"""A token the server refuses (401) or a call it does not allow (403): one hint line on stderr saying what to
do, and the token never shown."""

from __future__ import annotations

import pytest

from explorer.cli import EXIT_DRIVER_ERROR, EXIT_FAILURE, EXIT_OK
from explorer.cli.hints import NOT_ALLOWED, REFUSED_TOKEN

WRONG_TOKEN = "wrong-token-5f1c2e9a7b"


def hints(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("hint: ")]


@pytest.mark.parametrize("generation", ["v2", "v1"])
def test_a_refused_token_says_where_the_token_comes_from(cli, make_demo_server, generation):
    server = make_demo_server(generation=generation)
    env = {"PUTER_AUTH_TOKEN": WRONG_TOKEN}
    called = cli("--origin", server.origin, "call", "puter-kvstore", "get", "--args", '{"key":"k"}', env=env)
    assert called.code == EXIT_DRIVER_ERROR, called.err
    assert hints(called.err) == [REFUSED_TOKEN]
    listed = cli("--origin", server.origin, "interfaces", env=env)
    assert listed.code == EXIT_FAILURE, listed.err
    assert hints(listed.err) == [REFUSED_TOKEN]
    for run in (called, listed):
        assert WRONG_TOKEN not in run.out + run.err and server.token not in run.out + run.err


@pytest.mark.parametrize("generation", ["v2", "v1"])
def test_a_call_the_account_may_not_make_says_so(cli, make_demo_server, generation):
    server = make_demo_server(generation=generation, forbidden_drivers=["puter-kvstore"])
    env = {"PUTER_AUTH_TOKEN": server.token}
    refused = cli("--origin", server.origin, "call", "puter-kvstore", "get", "--args", '{"key":"k"}', env=env)
    assert refused.code == EXIT_DRIVER_ERROR, refused.err
    assert hints(refused.err) == [NOT_ALLOWED]
    assert server.token not in refused.out + refused.err


def test_an_accepted_call_or_another_error_gives_no_hint(cli, against):
    flags, env = against
    fine = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"k"}', env=env)
    missing = cli(*flags, "call", "puter-kvstore", "nope", env=env)
    assert (fine.code, missing.code) == (EXIT_OK, EXIT_DRIVER_ERROR)
    assert hints(fine.err) == [] and hints(missing.err) == []


def test_a_replay_to_a_server_whose_token_is_not_kept_gets_the_hint(cli, make_demo_server):
    made_on, now_on = make_demo_server(), make_demo_server()
    made = cli("--origin", made_on.origin, "call", "puter-kvstore", "get", "--args", '{"key":"k"}',
               env={"PUTER_AUTH_TOKEN": made_on.token})
    assert made.code == EXIT_OK, made.err
    # The environment now names the other server: its token is not sent to the first one.
    replayed = cli("replay", "1", env={"PUTER_API_ORIGIN": now_on.origin, "PUTER_AUTH_TOKEN": now_on.token})
    assert replayed.code == EXIT_DRIVER_ERROR, replayed.err
    assert f"replaying #1 on {made_on.origin}, where it was made" in replayed.err
    assert hints(replayed.err) == [REFUSED_TOKEN]
    assert now_on.token not in replayed.out + replayed.err
