"""The end-to-end tests' server (tests/e2e_server.py) fails at once, with what the server printed, when the app
exits while starting — not after its deadline with a bare «did not start»."""
import pytest

from tests.e2e_server import start_app


def test_a_server_that_exits_fails_the_test_with_its_output(sqlite_url):
    with pytest.raises(pytest.fail.Exception) as failed:
        start_app(sqlite_url, script="нет_такого_приложения.py")
    message = str(failed.value)
    assert message.startswith("приложение завершилось при запуске (код ")
    assert "нет_такого_приложения.py" in message and "does not exist" in message  # Streamlit's own words
