"""One window per data folder: the running PictoVoz listens on a local socket, and a second
start asks it to come to the front instead of opening a second window on the same files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.core import paths

WAIT_MS = 1000


def server_name(data_dir: Path | None = None) -> str:
    folder = str((data_dir or paths.data_dir()).resolve())
    return "pictovoz-" + hashlib.sha256(folder.encode()).hexdigest()[:16]


def listen(on_show: Callable[[], None], data_dir: Path | None = None) -> QLocalServer | None:
    """In the running app: call `on_show` whenever another start asks. None if no socket."""
    name = server_name(data_dir)
    QLocalServer.removeServer(name)  # a socket file left by a crash (we hold the lock)
    server = QLocalServer()
    if not server.listen(name):
        return None

    def accept() -> None:
        while server.hasPendingConnections():
            connection = server.nextPendingConnection()
            connection.readyRead.connect(connection.readAll)
            connection.disconnected.connect(connection.deleteLater)
            on_show()

    server.newConnection.connect(accept)
    return server


def ask_running_to_show(data_dir: Path | None = None) -> bool:
    """In a second start: True when the running app was reached (it brings its window up)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(data_dir))
    if not socket.waitForConnected(WAIT_MS):
        return False
    socket.write(b"show\n")
    socket.waitForBytesWritten(WAIT_MS)
    socket.disconnectFromServer()
    return True
