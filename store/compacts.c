/* SCAFFOLD (being replaced): the compacts table. */
#include "store_internal.h"
