# The layering rules, enforced by the compiler. System headers such as
# <zmq.h> live in /usr/include, which every target can see, so linking
# PRIVATE alone cannot stop an include. sj_forbid(target room...) puts
# poison headers (cmake/forbid/<room>/) first on the target's include path:
# a forbidden #include then fails to build with a message naming the rule.
# Rooms: no-zmq, no-cairo, no-lmdb.
function(sj_forbid target)
    foreach(room ${ARGN})
        target_include_directories(${target} BEFORE PRIVATE
            ${PROJECT_SOURCE_DIR}/cmake/forbid/${room})
    endforeach()
endfunction()
