/* SCAFFOLD (being replaced): the points ledger tables. */
#include "store_internal.h"
