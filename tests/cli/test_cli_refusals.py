"""A token the server refuses (401) or a call it does not allow (403): one hint line on stderr saying what to
do, and the token never shown."""

from __future__ import annotations

import pytest

from explorer.cli import EXIT_DRIVER_ERROR, EXIT_FAILURE, EXIT_OK
from explorer.cli.hints import NO_TOKEN, NOT_ALLOWED, REFUSED_TOKEN

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
    assert f"note: no token is kept for {made_on.origin}: the call goes without one" in replayed.err
    assert hints(replayed.err) == [NO_TOKEN]  # none was sent: not "the server refused the token"
    assert now_on.token not in replayed.out + replayed.err
    # A token given on the command line is the user's own choice: it goes with the replay.
    given = cli("replay", "1", "--token", made_on.token,
                env={"PUTER_API_ORIGIN": now_on.origin, "PUTER_AUTH_TOKEN": now_on.token})
    assert given.code == EXIT_OK, given.err
    assert "no token is kept" not in given.err and hints(given.err) == []


@pytest.mark.parametrize("command", [("call", "puter-kvstore", "get", "--args", '{"key":"k"}'), ("replay", "1")])
def test_a_flag_naming_another_server_does_not_get_the_token_the_environment_keeps_for_its_own(
    cli, make_demo_server, command
):
    home_server, other = make_demo_server(), make_demo_server()
    env = {"PUTER_API_ORIGIN": home_server.origin, "PUTER_AUTH_TOKEN": home_server.token}
    made = cli("call", "puter-kvstore", "get", "--args", '{"key":"k"}', env=env)
    assert made.code == EXIT_OK, made.err
    sent = cli("--origin", other.origin, *command, env=env)
    assert sent.code == EXIT_DRIVER_ERROR, sent.err  # the other server wants its own token
    assert (f"note: PUTER_AUTH_TOKEN is for {home_server.origin} (PUTER_API_ORIGIN), so it is not sent to "
            f"{other.origin}: give --token or a profile for it") in sent.err
    assert hints(sent.err) == [NO_TOKEN]
    assert home_server.token not in sent.out + sent.err
    own = cli("--origin", other.origin, "--token", other.token, *command, env=env)
    assert own.code == EXIT_OK, own.err
    assert "note: PUTER_AUTH_TOKEN" not in own.err


def test_export_with_token_puts_in_the_token_of_the_server_the_call_was_made_on(cli, make_demo_server):
    made_on, now_on = make_demo_server(), make_demo_server()
    made = cli("--origin", made_on.origin, "--token", made_on.token, "call", "puter-kvstore", "get",
               "--args", '{"key":"k"}')
    assert made.code == EXIT_OK, made.err
    env = {"PUTER_API_ORIGIN": now_on.origin, "PUTER_AUTH_TOKEN": now_on.token}
    refused = cli("export", "1", "--with-token", env=env)
    assert refused.code == 2, refused.err  # no token is kept for the first server: the second's is not used
    assert f"no token known for {made_on.origin}, where #1 was made" in refused.err
    assert now_on.token not in refused.out + refused.err
    kept = cli("profiles", "add", "first", "--set-origin", made_on.origin, "--token-stdin",
               input=made_on.token + "\n", env=env)
    assert kept.code == EXIT_OK, kept.err
    exported = cli("export", "1", "--with-token", env=env)
    assert exported.code == EXIT_OK, exported.err
    assert made_on.token in exported.out and now_on.token not in exported.out
    assert made_on.origin in exported.out


async def test_a_token_the_server_quotes_back_in_a_result_is_printed_redacted(cli):
    import asyncio
    import json

    from tests.protocol.hostile import HostileServer, answer

    token = "secret-token-77aa01bc"
    body = json.dumps({"success": True, "result": {"you": f"Bearer {token}"}}).encode()
    async with HostileServer(answer("200 OK", {"Content-Type": "application/json"}, body)) as server:
        run = await asyncio.to_thread(cli, "--origin", server.origin, "--token", token, "call", "puter-kvstore",
                                      "get", "--args", '{"key":"k"}')
        shown = await asyncio.to_thread(cli, "show", "1")
    assert token.encode() in server.requests[0]  # sent, then quoted back
    assert run.code == EXIT_OK, run.err
    assert json.loads(run.out) == {"you": "Bearer <redacted>"}
    assert token not in run.out + run.err + shown.out + shown.err and "Bearer <redacted>" in shown.out
