import socket, sys, time
port = int(sys.argv[1]); n = int(sys.argv[2]); dur = float(sys.argv[3])
socks = []
end = time.time() + dur
while time.time() < end:
    while len(socks) < n:
        s = socket.create_connection(("127.0.0.1", port)); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024); socks.append(s)
    for s in list(socks):
        try:
            b = s.recv(1)
            if not b: socks.remove(s); s.close()
        except Exception:
            socks.remove(s)
    time.sleep(1)
