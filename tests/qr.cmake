# Check suite of the QR rendering (included from tests/CMakeLists.txt):
#   qr  URLs, PNG/SVG/text symbols and the merchant placard, each image
#       decoded by zbarimg (SVG through rsvg-convert) and each SVG checked
#       by xmllint, each PDF rendered by pdftoppm. Needs zbar-tools,
#       librsvg2-bin, libxml2-utils and poppler-utils.
foreach(tool zbarimg rsvg-convert xmllint pdftoppm)
    find_program(SJ_TOOL_${tool} ${tool})
    if(NOT SJ_TOOL_${tool})
        message(WARNING "${tool} not found: the qr test will fail")
    endif()
endforeach()
sj_check_test(qr ${CMAKE_CURRENT_LIST_DIR}/test_qr.c)
