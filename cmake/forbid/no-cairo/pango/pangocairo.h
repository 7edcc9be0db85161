/* Poison header: a target that must not use this library puts this folder
 * first on its include path (sj_forbid() in cmake/layers.cmake). */
#error                                                                         \
    "pango/pangocairo.h: pango belongs to broker/render/; this module may not include it"
