# sj_program(target SECTION DESCRIPTION): one call makes an executable a
# program of the project: built into build/<folder>/ (build/broker/,
# build/clients/), installed into bin/, given a man page generated from
# its --help by help2man (so the page cannot drift from the program), and
# listed for the install test (tests/install_check.sh), which fails when
# an installed tree lacks any program, page, unit or catalogue.
find_program(HELP2MAN help2man REQUIRED)
set_property(GLOBAL PROPERTY SJ_PROGRAMS "")

function(sj_program target outdir description)
    set_target_properties(${target} PROPERTIES
        RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/${outdir})
    install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    set(page ${PROJECT_BINARY_DIR}/man/${target}.1)
    add_custom_command(
        OUTPUT ${page}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
        COMMAND ${HELP2MAN} --no-info --section=1 --name=${description}
                --output=${page} $<TARGET_FILE:${target}>
        DEPENDS ${target}
        COMMENT "help2man ${target}")
    add_custom_target(man_${target} ALL DEPENDS ${page})
    install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
    set_property(GLOBAL APPEND PROPERTY SJ_PROGRAMS ${target})
endfunction()
