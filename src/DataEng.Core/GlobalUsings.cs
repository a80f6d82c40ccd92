// Code inside this repository sees every DataEng.Core namespace; users write these `using` lines themselves
// (the namespace rule is in docs/architecture.md).
global using DataEng.Core.Checkpoints;
global using DataEng.Core.Diagnostics;
global using DataEng.Core.Kernels;
global using DataEng.Core.Memory;
global using DataEng.Core.Stages;
global using DataEng.Core.Tables;
