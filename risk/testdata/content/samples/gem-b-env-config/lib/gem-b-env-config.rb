# Configuration from the environment at require; a helper that shells
# out to git only when called.
module Deployer
  TOKEN = ENV['DEPLOYER_TOKEN']
  HOME = File.expand_path('~/.deployer')
  VERSION = "2.1.0"

  def self.revision
    `git rev-parse HEAD`.strip
  end

  def self.notify(url)
    system("curl", "-s", "-X", "POST", url, "-d", "token=#{TOKEN}")
  end
end
