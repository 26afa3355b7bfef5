# An API client: it reads its settings at require and uses Net::HTTP
# only when called.
require 'net/http'
require 'json'

module Weather
  BASE = ENV.fetch('WEATHER_API_URL', 'https://api.weather-example.io')

  class Client
    def initialize(token = ENV['WEATHER_API_TOKEN'])
      @token = token
    end

    def forecast(city)
      uri = URI("#{BASE}/forecast?city=#{city}&token=#{@token}")
      JSON.parse(Net::HTTP.get(uri))
    end
  end
end
