/* Poison header: a target that must not use this library puts this folder
 * first on its include path (sj_forbid() in cmake/layers.cmake). */
#error                                                                         \
    "zmq.h: ZeroMQ belongs to broker/net/ and clients/lib/; this module may not include it"
