--[[
  Cluster-wide figures are reported by one instance at a time, so that summing a gauge
  over instances never counts them twice: the leader holds this key and renews it; when it
  stops renewing, another instance takes over.
    KEYS[1] leader         who reports the cluster-wide figures
    ARGV[1] instance       this instance's id
    ARGV[2] ttlMs
  Returns 1 when this instance leads (now or still), 0 when another does
]]
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
