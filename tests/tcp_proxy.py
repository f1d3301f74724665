"""A tiny TCP proxy that a test can cut and restore, to make a database "go away" without stopping the
real server (CI shares one PostgreSQL between runs).

    with TcpProxy("127.0.0.1", 5432) as proxy:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/hub"
        proxy.cut()      # every open connection closed; new ones accepted and closed at once
        proxy.restore()  # new connections reach the server again

With `tls=(certfile, keyfile)` it is the TLS-terminating front of a deployment: clients speak HTTPS to
it and it passes the plain bytes on (the app server behind it sees plain HTTP, as behind a real proxy).
`target` may be set after construction, before the first connection.
"""
import contextlib
import select
import socket
import ssl
import threading


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, tls: tuple | None = None):
        self.target = (target_host, target_port)
        self._tls = None
        if tls is not None:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(*map(str, tls))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._cut = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)

    def __enter__(self) -> "TcpProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        self._close_all()

    def cut(self) -> None:
        """The database has gone away: close every connection, and refuse new ones until restore()."""
        self._cut.set()
        self._close_all()

    def restore(self) -> None:
        self._cut.clear()

    def _close_all(self) -> None:
        with self._lock:
            sockets, self._open = self._open, set()
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._cut.is_set():
                client.close()
                continue
            if self._tls is not None:  # the handshake in its own thread, so a slow client holds up no other
                threading.Thread(target=self._serve_tls, args=(client,), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            with self._lock:
                self._open.update((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _serve_tls(self, client: socket.socket) -> None:
        try:
            client.settimeout(10)
            client = self._tls.wrap_socket(client, server_side=True)
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:  # ssl.SSLError is one
            client.close()
            return
        upstream.settimeout(None)
        client.settimeout(None)
        with self._lock:
            self._open.update((client, upstream))
        self._pipe(client, upstream)

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        """Copy bytes both ways until either side closes (or cut() closes both)."""
        pair = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select(list(pair), [], [], 0.5)
                if self._stop.is_set():
                    return
                for src in readable:
                    data = src.recv(65536)
                    if not data:
                        return
                    while isinstance(src, ssl.SSLSocket) and src.pending():  # decrypted, not seen by select
                        data += src.recv(src.pending())
                    pair[src].sendall(data)
        except (OSError, ValueError):
            return  # cut: the sockets were closed under us
        finally:
            with self._lock:
                self._open.discard(a)
                self._open.discard(b)
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()
