import os
import socket

region = os.getenv("AWS_REGION", "us-east-1")
addr = socket.gethostbyname(f"s3.{region}.amazonaws.com")
