#ifndef SPIKECAST_CZLIB_SHIM_H
#define SPIKECAST_CZLIB_SHIM_H
#include <zlib.h>
#endif
