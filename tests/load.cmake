# Issue 13 (load): one member cannot stall, bloat or fill the broker.
# it_load: the loop's latency under heavy reads, SIGTERM in a flood, memory
# bounds, a poisoned range; it_quota: rate limits, the open-wish quota, the
# committee's reserve of the map, map growth, a full disk (enospc_shim).
sj_it_c(it_load 500)
sj_it_c(it_quota 200)
add_library(enospc_shim SHARED ${IT_DIR}/enospc_shim.c)
target_compile_options(enospc_shim PRIVATE ${SJ_WARNINGS})
target_link_libraries(enospc_shim PRIVATE dl)
add_dependencies(it_quota enospc_shim)
set_property(TEST it_quota APPEND PROPERTY ENVIRONMENT
             "SJ_ENOSPC_SHIM=$<TARGET_FILE:enospc_shim>")
