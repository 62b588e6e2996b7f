"""Stand-ins for Shippo and PrintNode on 127.0.0.1: real HTTP servers speaking the documented
shapes, used by the tests, the benchmarks and the offline demo. They replace the remote services,
never SlipStation's own code: the real clients talk to them over real sockets."""
