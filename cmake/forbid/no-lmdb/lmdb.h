/* Poison header: a target that must not use this library puts this folder
 * first on its include path (sj_forbid() in cmake/layers.cmake). */
#error                                                                         \
    "lmdb.h: LMDB belongs to store/ (store/store.c); this module may not include it"
