#!/bin/sh
# Drive examples/event_loop: three TCP clients get their lines back in upper
# case, the file is read to the end, the timer ticks, and SIGTERM (then, in a
# second run, SIGINT) shuts it down cleanly with status 0.
set -eu
prog=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
head -c 300000 /dev/urandom > "$dir/data"
for sig in TERM INT; do
	/usr/bin/python3 - "$prog" "$dir/data" "$sig" <<'PY'
import os, signal, socket, subprocess, sys, time
prog, data, sig = sys.argv[1], sys.argv[2], sys.argv[3]
p = subprocess.Popen([prog, data, "20"], stdout=subprocess.PIPE, text=True)
line = p.stdout.readline()
assert line.startswith("listening on 127.0.0.1:"), line
port = int(line.rsplit(":", 1)[1])
clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
for round in range(5):
    for i, c in enumerate(clients):
        msg = ("hello %d from client %d\n" % (round, i)).encode()
        c.sendall(msg)
        got = b""
        while len(got) < len(msg):
            chunk = c.recv(4096)
            assert chunk, "connection closed early"
            got += chunk
        assert got == msg.upper(), (got, msg.upper())
clients[0].close()
# Signal only once the file is read, a tick came and client 0 is known gone:
# on a loaded machine these take their time, and that is not what is tested.
size = os.path.getsize(data)
seen = []
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    text = "".join(seen)
    if ("read %d bytes" % size) in text and "tick" in text and "client 0 gone" in text:
        break
    l = p.stdout.readline()
    if not l:
        break
    seen.append(l)
p.send_signal(getattr(signal, "SIG" + sig))
out, _ = p.communicate(timeout=10)
out = "".join(seen) + out
for c in clients[1:]:
    c.close()
assert p.returncode == 0, p.returncode
assert ("read %d bytes from %s" % (size, data)) in out, out
assert "tick" in out, out
assert "client 0 gone" in out, out
assert ("caught " + {"TERM": "Terminated", "INT": "Interrupt"}[sig]) in out, out
assert out.rstrip().endswith("bye"), out
print("event_loop served 3 clients, read %d bytes, ticked, stopped on SIG%s" % (size, sig))
PY
done
