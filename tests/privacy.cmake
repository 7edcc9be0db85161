# Issue 9's rules decided in the domain (tests/test_privacy.c): who may rekey
# a committee member and unsuspend, bounded claims and recorded contact
# reveals, confirmed fulfilments and performances, agreed prices, bounded
# complaints.
sj_check_test(privacy test_privacy.c)
target_link_libraries(test_privacy PRIVATE sj_test_world)

# These tests claim many wishes with one merchant (races, replays, the
# request matrix, the benchmark's workload), which the default bound on
# live claims (5) would refuse; the bound itself is tested above.
foreach(t it_security it_claim_race it_reconnect it_watch bench_smoke
          bench_replay_smoke bench_scale_smoke)
    if(TEST ${t})
        set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT
                     SHANGJU_MAX_CLAIMS=1000)
    endif()
endforeach()
