export { writeReport, type ReportFiles } from './write-report';
export { describeMachine, filesystemOf, machineLine, type MachineInfo } from './machine-info';
export { formatMillis, formatRate, paramColumns, type ParamValue, type ReportCell, type ReportInput, type ReportJson } from './report-model';
export { renderHtml, chartCells } from './html-report';
export { renderMarkdown } from './markdown-report';
