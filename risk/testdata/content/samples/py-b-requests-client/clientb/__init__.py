import os
import requests

API = "https://api.clientb.example/v1"

def get(path):
    token = os.environ.get("CLIENTB_TOKEN")
    return requests.get(API + path, headers={"Authorization": "Bearer " + token}).json()
