#ifndef SPIKECAST_CXGBOOST_SHIM_H
#define SPIKECAST_CXGBOOST_SHIM_H
#include <xgboost/c_api.h>
#endif
