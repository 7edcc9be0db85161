# The layering rules are enforced by the build (cmake/layers.cmake); these
# tests show it: each probe includes a forbidden header and is compiled
# with the very include path of a real target, and the build must stop on
# the poison header's message. Probes are not part of `all`.
function(sj_layering_probe target header)
    string(REPLACE ".h" "" lib ${header})
    set(probe probe_${target}_${lib})
    add_library(${probe} OBJECT EXCLUDE_FROM_ALL
                ${CMAKE_CURRENT_SOURCE_DIR}/layering/uses_${lib}.c)
    target_include_directories(${probe} PRIVATE
        $<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>)
    add_test(NAME layering_${target}_${lib}
             COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR}
                     --target ${probe})
    set_tests_properties(layering_${target}_${lib} PROPERTIES
        PASS_REGULAR_EXPRESSION "this module may not include it"
        LABELS layering)
endfunction()

sj_layering_probe(sj_domain zmq.h)
sj_layering_probe(sj_domain cairo.h)
sj_layering_probe(sj_domain lmdb.h)
sj_layering_probe(sj_engine zmq.h)
sj_layering_probe(sj_engine cairo.h)
sj_layering_probe(sj_render zmq.h)
sj_layering_probe(sj_render lmdb.h)
sj_layering_probe(sj_net lmdb.h)
sj_layering_probe(sj_net cairo.h)
sj_layering_probe(sj_cli zmq.h)
sj_layering_probe(sj_client lmdb.h)
sj_layering_probe(sj_store zmq.h)
# Inside store/, only store.c may include lmdb.h (the rest of sj_store is
# built with the poison header; store.c is the object library sj_store_lmdb).
sj_layering_probe(sj_store lmdb.h)

# Only store/store.c calls LMDB: no mdb_ call anywhere else (comments aside).
add_test(NAME layering_mdb_calls
         COMMAND sh -c "! grep -rnE '\\bmdb_[a-z_]+\\s*\\(' --include=*.c \
             ${PROJECT_SOURCE_DIR}/store ${PROJECT_SOURCE_DIR}/broker \
             ${PROJECT_SOURCE_DIR}/clients ${PROJECT_SOURCE_DIR}/proto \
             | grep -v '^${PROJECT_SOURCE_DIR}/store/store.c:' \
             | grep -vE ':[0-9]+:\\s*(/?\\*|//)'")
set_tests_properties(layering_mdb_calls PROPERTIES LABELS layering)
