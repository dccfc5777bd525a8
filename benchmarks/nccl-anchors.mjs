/**
 * Published NCCL busbw (nccl-tests all_reduce_perf, all_gather_perf, reduce_scatter_perf,
 * alltoall_perf) on
 * systems weft has presets for, with their sources: the anchors benchmarks/nccl-vs-weft.mjs
 * sets weft's runs beside. None of these figures is an input of weft; they are checks.
 *
 * Each run names the weft collective (`collective`, all-reduce when absent), topology and flags
 * that match the published run (the preset, and `algo` when NCCL_ALGO was forced), the system
 * as published (GPU, NVLink, NICs, fabric, NCCL version, how it was launched) and the published
 * busbw by size in bytes, GB/s, either one value or [low, high] when a range is published.
 * `sizes` is weft's -b/-e/-f sweep; sizes are the whole buffer, as nccl-tests counts them (an
 * all-gather's output, a reduce-scatter's input).
 */

const KIB = 2 ** 10;
const MIB = 2 ** 20;
const GIB = 2 ** 30;

export const SOURCES = {
  t212: 'nccl-tests #212 (S. Jeaugey: 8× H100, NVLS default, "peak busBw of ~480GB/s"; 256 MiB too small for the peak) https://github.com/NVIDIA/nccl-tests/issues/212',
  n1374: 'NCCL #1374 (GTC S62129: NVLink4 SHARP intra-node busbw 480 GB/s) https://github.com/NVIDIA/nccl/issues/1374',
  n1455: 'NCCL #1455, #1442 (8× H100, NCCL_ALGO=Ring, 365–370 GB/s) https://github.com/NVIDIA/nccl/issues/1455',
  t290: 'nccl-tests #290, NCCL #812 (DGX H100 2–16+ servers, ring busbw 370–390 GB/s, flat) https://github.com/NVIDIA/nccl-tests/issues/290',
  n1244:
    'NCCL #1244 (2 servers × 8 H20 — NVLink4/NVSwitch and one 400 Gb/s CX-7 per GPU as DGX H100 — NCCL 2.21 default with NVLS; the reporter expected more) https://github.com/NVIDIA/nccl/issues/1244',
  azH100:
    'Azure AI-benchmarking-guide, Azure_Results/ND_H100_v5_results.md, "NCCL Bandwidth" (ND H100 v5: 8× H100 SXM, NVLink4 NVSwitch; NCCL 2.18.5; Benchmarks/NVIDIA/NCCLBandwidth.py: NCCL_ALGO=NVLS all_reduce_perf -b 8 -e 8G -f 2 -g 8 -n 40, in-place busbw) https://github.com/Azure/AI-benchmarking-guide',
  azH200:
    'Azure AI-benchmarking-guide, Azure_Results/ND_H200_v5_results.md, "NCCL Bandwidth" (ND H200 v5: 8× H200, NVLink4 NVSwitch; NCCL 2.20.5; NCCL_ALGO=NVLS, -g 8 -n 40, in-place busbw) https://github.com/Azure/AI-benchmarking-guide',
  azA100:
    'Azure AI-benchmarking-guide, Azure_Results/ND_A100_v4_results.md, "NCCL Bandwidth" (ND A100 v4: 8× A100-SXM4-80GB, NVLink3 NVSwitch, AMD EPYC host; NCCL 2.18.5; -g 8 -n 40, in-place busbw; the script sets NCCL_ALGO=NVLS on 8 GPUs, which A100 lacks: the algorithm that ran is not stated) https://github.com/Azure/AI-benchmarking-guide',
  azGB200:
    'Azure AI-benchmarking-guide, Azure_Results/ND_GB200_v6_results.md, "NCCL Bandwidth" (ND GB200 v6: one 4-GPU GB200 tray, NVLink5; NCCL 2.25.1; NCCL_ALGO=Ring on 4 GPUs, -g 4 -n 40, in-place busbw) https://github.com/Azure/AI-benchmarking-guide',
  t175: 'nccl-tests #175 / NCCL #1048 (8× A100 SXM, one server, all_reduce_perf -b 8 -e 4G -f 2 -g 8: "232.54GB/s") https://github.com/NVIDIA/nccl-tests/issues/175',
  t272: 'nccl-tests #272 (8× H200, NVLink4, NCCL 2.20.3 default, srun one rank per GPU, -b 64k -e 4G: "peak bandwidth of 475 GB/s") https://github.com/NVIDIA/nccl-tests/issues/272',
  n1807: 'NCCL #1807 (8× B200 in one server, NCCL 2.27.1 default: "Ours is 830+", peak of the sweep) https://github.com/NVIDIA/nccl/issues/1807',
  msH100:
    'Azure/msccl docs/performance-nd-h100-v5.md, "All-Gather Latency (us)", NCCL column (ND H100 v5: 8× H100 SXM, NVLink4 NVSwitch; NCCL 2.18.3; msccl-tests-nccl all_gather_perf -b 1 -e 1G -f 2 -g 1 -d half under mpirun, one process per GPU; NCCL_MIN_NCHANNELS=32; in-place; default algorithm; latency published, busbw = S·(n−1)/n / t here) https://github.com/Azure/msccl',
  n1047:
    'NCCL #1047 (one server of 8× H100 80GB HBM3, reduce_scatter_perf float sum, Ring as the reporter labels it, out-of-place busbw; NCCL version and launch not stated, 2023-10) https://github.com/NVIDIA/nccl/issues/1047',
  msarH100:
    'Azure/msccl docs/performance-nd-h100-v5.md, "FP16 All-Reduce Latency (us)", NCCL column (ND H100 v5: 8× H100 SXM, NVLink4 NVSwitch; NCCL 2.18.3; msccl-tests-nccl all_reduce_perf -b 1 -e 1G -f 2 -g 1 -d half -n 1000 -G 1 under mpirun ppr:8:node, one process per GPU, CUDA graph launch; NCCL_MIN_NCHANNELS=32; in-place; default algorithm; latency published, busbw = 2·S·(n−1)/n / t here) https://github.com/Azure/msccl',
  mscppA100:
    'microsoft/mscclpp docs/performance-ndmv4.md, "1 node, 8 gpus/node", "2 nodes, 1 gpu/node" and "2 nodes, 8 gpus/node", NCCL AllReduce, AllGather and AllToAll columns (NDmv4: 8× A100-SXM4-80GB per VM, NVLink3 NVSwitch, 8× 200 Gb/s HDR InfiniBand, one per GPU; NCCL 2.17.1; nccl-tests -g 1 -n 10 -w 10 -G 1 under mpirun ppr:8:node (ppr:1:node on one GPU per node), one process per GPU, CUDA graph launch; in-place; default algorithm; 1 KiB latency published, busbw = S·(n−1)/n / t here (2·S·(n−1)/n / t for all-reduce); 1 GiB and 4 GiB busbw as published) https://github.com/microsoft/mscclpp',
  n1801:
    'NCCL #1801 (GB200 NVL72 racks, three NVLink partitions of 4 or 8 GPUs on three racks, so only InfiniBand between them, one 400 Gb/s NIC per GPU; NCCL 2.27.3, NCCL_NVLS_ENABLE=0; all_reduce_perf at 16 GiB, out-of-place busbw; "ring, default": the algorithm NCCL chose, "tree": NCCL_ALGO=Tree) https://github.com/NVIDIA/nccl/issues/1801',
  sxH200:
    'schmaustech/nvidia-tools-image README.md, "Performance Testing and Troubleshooting" (two Dell XE9680: 8× H200 each, NVLink4 NVSwitch, one BlueField-3 B3140H 400GbE SuperNIC per GPU on Spectrum-X RoCE, NCCL_IB_ADAPTIVE_ROUTING=1; NCCL 2.30.4; mpirun -np 2, all_reduce_perf --ngpus 8 (one process per server, -g 8) 1K–16G, NCCL_MIN_NCHANNELS=32, NCCL_IB_QPS_PER_CONNECTION=2, default algorithm; out-of-place busbw) https://github.com/schmaustech/nvidia-tools-image',
  nebH100:
    'skypilot-org/skypilot examples/nebius_infiniband/README.md (Nebius gpu-h100-sxm, two servers of 8× H100 SXM, InfiniBand, 8 HCAs per server; nebius-benchmarks/nccl-tests:2.23.4 image; mpirun 8 processes per server, -g 1, -b 512M -e 8G -f 2, NCCL_COLLNET_ENABLE=0, default algorithm; out-of-place busbw) https://github.com/skypilot-org/skypilot',
  cwGB200:
    'coreweave/nccl-tests README "Expected Performance: GB200" and PR #43/#48 (GB200 NVL72 racks, one 400 Gb/s CX-7 per GPU on InfiniBand between racks; NCCL 2.26.2; default algorithm; out-of-place busbw) https://github.com/coreweave/nccl-tests',
};

/** { [bytes]: [busbw, source] } from a sweep that starts at `fromBytes` and doubles. */
function doubling(fromBytes, values, source) {
  return Object.fromEntries(values.map((v, i) => [fromBytes * 2 ** i, [v, source]]));
}

/**
 * nccl-tests' busbw of one `collective` of `bytes` on `nranks` ranks that took `us`: S·(n−1)/n / t
 * for an all-gather, reduce-scatter or all-to-all, 2·S·(n−1)/n / t for an all-reduce (4 significant digits).
 */
function busbwOfTime(collective, bytes, nranks, us) {
  const busFactor = ((collective === 'allreduce' ? 2 : 1) * (nranks - 1)) / nranks;
  return Number(((bytes * busFactor) / (us * 1e3)).toPrecision(4));
}

/**
 * { [bytes]: [busbw, source] } of a collective on `nranks` ranks published as times: `timesUs`
 * from `fromBytes` doubling (nccl-tests' bus factor: 2(n−1)/n for all-reduce, (n−1)/n else).
 */
function busbwFromTimes(fromBytes, timesUs, nranks, source, collective = 'allgather') {
  return Object.fromEntries(timesUs.map((us, i) => {
    const bytes = fromBytes * 2 ** i;
    return [bytes, [busbwOfTime(collective, bytes, nranks, us), source]];
  }));
}

/** Azure's tables (1K … 8G doubling, labelled 65K/132K/524K/33M/… for 2^16/2^17/2^19/2^25/…). */
const azure = (values, source) => doubling(KIB, values, source);

/** One of Azure's 1 KiB – 8 GiB sweeps, run as weft's `algo` on `topology` at the same sizes. */
const azureSweep = (topology, algo, values, source) => ({ topology, algo, sizes: ['1K', '8G', '2'], published: azure(values, source) });

/**
 * One of the Azure/msccl ND H100 v5 latency tables (8× H100, one process per GPU; 1 KB … 1 GB
 * doubling, µs as published), run as weft's default on one DGX H100 at the same sizes.
 */
const msccl8Sweep = (collective, timesUs, source) => ({
  ...(collective !== 'allreduce' ? { collective } : {}),
  topology: 'dgx-h100:nodes=1',
  algo: 'auto',
  sizes: ['1K', '1G', '2'],
  published: busbwFromTimes(KIB, timesUs, 8, source, collective),
});

/**
 * One NCCL column of mscclpp's NDmv4 tables (microsoft/mscclpp docs/performance-ndmv4.md): its
 * 1 KiB latency (µs) and its busbw at 1 GiB and up ({ [bytes]: GB/s }), run as weft's default
 * on `topology` (`nranks` GPUs) at 1 KiB, 1 GiB and, where published, 4 GiB.
 */
const ndmv4Run = (collective, topology, nranks, kibUs, busbwByBytes) => ({
  ...(collective !== 'allreduce' ? { collective } : {}),
  topology,
  algo: 'auto',
  sizes: ['1K', '1G', '1048576'],
  ...(busbwByBytes[4 * GIB] !== undefined ? { extra: [['4G', '4G']] } : {}),
  published: {
    [KIB]: [busbwOfTime(collective, KIB, nranks, kibUs), 'mscppA100'],
    ...Object.fromEntries(Object.entries(busbwByBytes).map(([bytes, busbw]) => [bytes, [busbw, 'mscppA100']])),
  },
});

export const RUNS = [
  {
    topology: 'dgx-h100:nodes=1',
    algo: 'auto',
    sizes: ['8', '8G', '8'],
    extra: [['16G', '16G']],
    published: { [8 * GIB]: [480, 't212'], [16 * GIB]: [480, 'n1374'] },
  },
  azureSweep(
    'dgx-h100:nodes=1',
    'nvls',
    [0.07, 0.14, 0.27, 0.53, 0.95, 1.71, 2.72, 5.4, 10.86, 21.35, 43.7, 81.93, 128.73, 172.13, 234.45, 295.53, 361.78, 400.61, 423.38, 438.46, 466.35, 472.36, 475.54, 478.87],
    'azH100',
  ),
  { topology: 'dgx-h100:nodes=1', algo: 'ring', sizes: ['1G', '8G', '8'], published: { [GIB]: [[365, 370], 'n1455'], [8 * GIB]: [[365, 370], 'n1455'] } },
  // One process per GPU (mpirun, -g 1).
  msccl8Sweep(
    'allreduce',
    [13.12, 14.39, 15.28, 15.69, 16.64, 19.3, 20, 20.42, 20.5, 29.89, 31.94, 37.95, 49.28, 77.01, 116, 187.2, 317.4, 572.5, 1079, 2071.1, 4028.7],
    'msarH100',
  ),
  azureSweep(
    'hgx-h200:nodes=1',
    'nvls',
    [0.06, 0.12, 0.23, 0.47, 0.93, 1.84, 3.72, 7.39, 14.75, 29.38, 52.96, 88.78, 138.44, 181.94, 240.41, 300.91, 368.11, 412.45, 432.24, 442.72, 467.58, 472.57, 477.41, 479.98],
    'azH200',
  ),
  { topology: 'hgx-h200:nodes=1', algo: 'auto', sizes: ['4G', '4G', '2'], published: { [4 * GIB]: [475, 't272'] } },
  azureSweep(
    'hgx-a100:nodes=1',
    'auto',
    [0.04, 0.08, 0.17, 0.33, 0.67, 1.37, 2.7, 5.15, 10.11, 19.24, 36.22, 53.54, 71.43, 89.99, 109.22, 132.77, 166.63, 174.18, 213.87, 221.58, 228.1, 230.22, 230.48, 231.58],
    'azA100',
  ),
  { topology: 'hgx-a100:nodes=1', algo: 'auto', sizes: ['4G', '4G', '2'], published: { [4 * GIB]: [232.54, 't175'] } },
  // One process per GPU (mpirun, -g 1): NCCL's own latency without `-g 8`'s single-thread launch.
  ndmv4Run('allreduce', 'hgx-a100:nodes=1', 8, 16.96, { [GIB]: 231.45 }),
  ndmv4Run('allgather', 'hgx-a100:nodes=1', 8, 12.53, { [GIB]: 253.59 }),
  ndmv4Run('alltoall', 'hgx-a100:nodes=1', 8, 9.34, { [GIB]: 254.69 }),
  // Two VMs, one GPU (and so one HDR NIC) used in each.
  ndmv4Run('allreduce', 'hgx-a100:nodes=2,gpusPerNode=1', 2, 21.27, { [GIB]: 18.65 }),
  ndmv4Run('allgather', 'hgx-a100:nodes=2,gpusPerNode=1', 2, 16.08, { [GIB]: 15.84 }),
  ndmv4Run('alltoall', 'hgx-a100:nodes=2,gpusPerNode=1', 2, 29.84, { [GIB]: 15.48 }),
  // Two VMs of 8 GPUs: the only multi-server A100 figures stored.
  ndmv4Run('allreduce', 'hgx-a100:nodes=2', 16, 35.85, { [GIB]: 183.82, [4 * GIB]: 188.18 }),
  ndmv4Run('allgather', 'hgx-a100:nodes=2', 16, 33.74, { [GIB]: 177.05, [4 * GIB]: 186.01 }),
  ndmv4Run('alltoall', 'hgx-a100:nodes=2', 16, 49.75, { [GIB]: 37.8, [4 * GIB]: 37.81 }),
  { topology: 'hgx-b200:nodes=1', algo: 'auto', sizes: ['8G', '8G', '2'], published: { [8 * GIB]: [830, 'n1807'] } },
  azureSweep(
    'gb200-nvl4',
    'ring',
    [0.1, 0.19, 0.38, 0.76, 1.46, 2.88, 5.71, 11.29, 22.41, 44.07, 80.48, 110.43, 146.27, 253.46, 331.09, 422.62, 550.73, 574.19, 593.53, 618.74, 646.87, 666.63, 673.06, 679.61],
    'azGB200',
  ),
  {
    topology: 'dgx-h100:nodes=2',
    algo: 'auto',
    sizes: ['8', '8G', '8'],
    extra: [['16G', '16G']],
    published: { [2 * MIB]: [30.3, 'n1244'], [16 * MIB]: [155.0, 'n1244'], [128 * MIB]: [227.1, 'n1244'] },
  },
  // Two servers at NCCL's defaults on InfiniBand (one process per GPU) and on Spectrum-X (-g 8).
  { topology: 'dgx-h100:nodes=2,fabric=ib-ndr', algo: 'auto', sizes: ['512M', '8G', '2'], published: doubling(512 * MIB, [413.79, 445.09, 458.3, 462.73, 467.28], 'nebH100') },
  {
    topology: 'hgx-h200:nodes=2',
    algo: 'auto',
    sizes: ['1K', '16G', '2'],
    published: doubling(KIB, [0.04, 0.09, 0.18, 0.32, 0.57, 0.95, 1.75, 3.03, 7.73, 12.17, 25.58, 45.53, 74.1, 105.03, 103.37, 227.23, 272.94, 339.1, 394.69, 432.57, 458.75, 473.86, 481.78, 485.57, 485.66], 'sxH200'),
  },
  { topology: 'dgx-h100:nodes=2', algo: 'ring', sizes: ['1G', '8G', '8'], published: { [GIB]: [[370, 390], 't290'], [8 * GIB]: [[370, 390], 't290'] } },
  { topology: 'dgx-h100:nodes=4', algo: 'auto', sizes: ['8', '1G', '8'] },
  { topology: 'dgx-h100:nodes=4', algo: 'ring', sizes: ['1G', '1G', '8'], published: { [GIB]: [[370, 390], 't290'] } },
  { topology: 'dgx-h100:nodes=16', algo: 'auto', sizes: ['8', '1G', '8'] },
  { topology: 'dgx-h100:nodes=16', algo: 'ring', sizes: ['1G', '1G', '8'], published: { [GIB]: [[370, 390], 't290'] } },
  msccl8Sweep(
    'allgather',
    [9.54, 9.8, 9.78, 9.78, 10.29, 12.49, 12.87, 13.16, 13.23, 13.39, 18.33, 23.18, 33.66, 44.7, 67.19, 104.7, 192.4, 368.3, 699.5, 1358.6, 2663.8],
    'msH100',
  ),
  {
    collective: 'reducescatter',
    topology: 'dgx-h100:nodes=1',
    algo: 'ring',
    sizes: ['128M', '8G', '2'],
    published: doubling(128 * MIB, [311.34, 330.94, 340.94, 349.36, 354.81, 357.76, 362.16], 'n1047'),
  },
  // Three NVLink partitions on three GB200 racks (NVLS off): each partition is one NVLink domain
  // of 4 or 8 GPUs with a NIC per GPU, on InfiniBand between racks — gb200-nvl4 trays of that size.
  ...[4, 8].flatMap((gpus) => {
    const topology = `gb200-nvl4:nodes=3,gpusPerNode=${gpus},reduction=false,fabric=ib-ndr`;
    const [ring, tree] = gpus === 4 ? [196.72, 234.43] : [393.66, 485.68];
    return [
      { topology, algo: 'auto', sizes: ['16G', '16G', '2'], published: { [16 * GIB]: [ring, 'n1801'] } },
      { topology, algo: 'tree', sizes: ['16G', '16G', '2'], published: { [16 * GIB]: [tree, 'n1801'] } },
    ];
  }),
  {
    topology: 'nvl72:variant=gb200',
    algo: 'auto',
    sizes: ['512M', '8G', '2'],
    published: doubling(512 * MIB, [586.06, 681.17, 757.78, 839.16, 834.57], 'cwGB200'),
  },
  {
    topology: 'nvl72:variant=gb200,racks=2',
    algo: 'auto',
    sizes: ['512M', '16G', '2'],
    published: doubling(512 * MIB, [493.94, 596.1, 680.3, 743.09, 793.06, 810.41], 'cwGB200'),
  },
  {
    topology: 'nvl72:variant=gb200,racks=20',
    algo: 'auto',
    // 1,440 GPUs: about 3.5 min (512 MiB) and 2 min (2 GiB) of ghost simulation each; the
    // published 1, 4, 8 and 16 GiB rows stay out of the default run (--skip-heavy skips it all).
    sizes: ['512M', '2G', '4'],
    heavy: true,
    published: { [512 * MIB]: [150.95, 'cwGB200'], [2 * GIB]: [286.52, 'cwGB200'] },
    // The rest of the published sweep (1, 4, 8, 16 GiB), not simulated by default.
    unswept: { [GIB]: [218.85, 'cwGB200'], [4 * GIB]: [346.38, 'cwGB200'], [8 * GIB]: [381.48, 'cwGB200'], [16 * GIB]: [405.74, 'cwGB200'] },
  },
];

/** The published figure as one number: a range's geometric midpoint. */
export function publishedValue(value) {
  return Array.isArray(value) ? Math.sqrt(value[0] * value[1]) : value;
}

/**
 * Geometric-mean error of weft/NCCL ratios: exp(mean |ln r|) − 1. A ratio of 2 and one of
 * 1/2 are the same error (100 %); an exact match adds 0; undefined for no ratios.
 */
export function geomeanError(ratios) {
  if (ratios.length === 0) return undefined;
  return Math.exp(ratios.reduce((s, r) => s + Math.abs(Math.log(r)), 0) / ratios.length) - 1;
}
