#ifndef SPIKECAST_CCAIRO_SHIM_H
#define SPIKECAST_CCAIRO_SHIM_H
#include <cairo/cairo.h>
#include <cairo/cairo-svg.h>
#endif
