//! The one translation table: every string the UI shows, in English and Simplified Chinese.
//!
//! Strings with values to fill in use positional placeholders (`{0}`, `{1}`) because word order
//! differs between the languages; [`fill`] substitutes them.

use leptos::prelude::*;

/// A language the UI is translated into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum Locale {
    /// English.
    #[default]
    En,
    /// Simplified Chinese (zh-CN).
    ZhCn,
}

impl Locale {
    /// Every supported locale, in the order the switcher lists them.
    pub(crate) const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The BCP 47 tag, as `Intl` and `<html lang>` expect it.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// The locale's own name for itself, so that users can find their language when the UI is in
    /// one they cannot read.
    pub(crate) fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhCn => "简体中文",
        }
    }

    /// The closest supported locale for a language tag such as `zh-Hans-CN` or `en-GB`.
    pub(crate) fn from_tag(tag: &str) -> Locale {
        if tag.to_ascii_lowercase().starts_with("zh") { Locale::ZhCn } else { Locale::En }
    }

    /// Like [`Locale::from_tag`], but only for tags naming a supported locale exactly, as stored
    /// by the switcher.
    pub(crate) fn from_stored(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag() == tag)
    }
}

macro_rules! messages {
    ($($key:ident: $en:literal, $zh:literal;)+) => {
        /// A translatable UI string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Msg {
            $(
                #[doc = $en]
                $key,
            )+
        }

        impl Msg {
            /// Every string, for checking the table.
            #[cfg(test)]
            pub(crate) const ALL: &[Msg] = &[$(Msg::$key,)+];

            /// The text in `locale`.
            pub(crate) fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $(
                        (Msg::$key, Locale::En) => $en,
                        (Msg::$key, Locale::ZhCn) => $zh,
                    )+
                }
            }
        }
    };
}

messages! {
    ProductName: "Quiver", "Quiver";
    LanguageLabel: "Language", "语言";
    SignInTitle: "Sign in to Quiver", "登录 Quiver";
    SignInBody: "Open the sign-in link printed by the Quiver server when it starts. It looks like http://host/?token=… and signs you in to one tenant's data.",
        "请打开 Quiver 服务器启动时打印的登录链接。链接形如 http://host/?token=…，可让您登录到一个租户的数据。";
    SignInExpired: "Your sign-in link has expired. Open a fresh link printed by the server.",
        "您的登录链接已过期。请打开服务器打印的新链接。";
    SignInInvalid: "Your sign-in link is not valid for this server. Open the link printed by the server.",
        "您的登录链接对此服务器无效。请打开服务器打印的链接。";
    SignInMissing: "The server did not receive your sign-in token. Open the link printed by the server again.",
        "服务器没有收到您的登录令牌。请重新打开服务器打印的链接。";
    Tables: "Tables", "数据表";
    LoadedTables: "Loaded tables", "已加载的表";
    NoLoadedTables: "None yet: load a table to query it.", "暂无：加载数据表后即可查询。";
    LoadingCatalog: "Loading the catalogue…", "正在加载数据目录…";
    CatalogUnavailable: "The catalogue could not be loaded.", "无法加载数据目录。";
    Retry: "Retry", "重试";
    NRows: "{0} rows", "{0} 行";
    ChooseTable: "Choose a table on the left.", "请在左侧选择一个数据表。";
    Columns: "Columns", "列";
    ColumnName: "Name", "名称";
    ColumnType: "Type", "类型";
    ColumnRole: "Role", "角色";
    Nullable: "Nullable", "可为空";
    Yes: "yes", "是";
    No: "no", "否";
    RoleDimension: "Dimension", "维度";
    RoleMeasure: "Measure", "度量";
    RoleTime: "Time", "时间";
    RoleKey: "Key", "键";
    StatRows: "Rows", "行数";
    StatSize: "Stored size", "存储大小";
    StatDateRange: "Date range", "日期范围";
    StatPartitionKeys: "Partitioned by", "分区键";
    Undated: "not partitioned by date", "不按日期分区";
    FirstRows: "First rows", "前几行";
    FirstRowsHint: "Load the table to see its first rows.", "加载此表后即可查看前几行。";
    LoadTitle: "Load into the browser", "加载到浏览器";
    DateFrom: "From", "开始日期";
    DateTo: "To", "结束日期";
    Last7: "Last 7 days", "最近 7 天";
    Last30: "Last 30 days", "最近 30 天";
    Last90: "Last 90 days", "最近 90 天";
    LoadsWhole: "A dimension table: it loads whole.", "维度表：整表加载。";
    ColumnsToLoad: "Columns to load", "要加载的列";
    SelectAll: "All", "全选";
    SelectNone: "None", "全不选";
    Load: "Load", "加载";
    Loading: "Loading…", "加载中…";
    PickAColumn: "Choose at least one column.", "请至少选择一列。";
    BadRange: "The start date is after the end date.", "开始日期晚于结束日期。";
    FetchingManifest: "Fetching the list of partitions…", "正在获取分区列表…";
    ProgressPartitions: "{0} / {1} partitions", "{0} / {1} 个分区";
    ProgressBytes: "{0} received", "已接收 {0}";
    ProgressRows: "{0} rows decoded", "已解码 {0} 行";
    LoadingTable: "Loading {0}", "正在加载 {0}";
    LoadDone: "{0} rows loaded in {1} s", "已加载 {0} 行，用时 {1} 秒";
    LoadFailed: "Loading stopped.", "加载已中止。";
    NoPartitions: "No partitions between these dates: nothing to load.", "所选日期内没有分区：没有可加载的数据。";
    LoadedTableSummary: "{0} rows · {1} columns", "{0} 行 · {1} 列";
    SqlTitle: "SQL", "SQL";
    Run: "Run", "运行";
    Running: "Running…", "运行中…";
    RunHint: "Ctrl+Enter (⌘+Enter) runs the query.", "按 Ctrl+Enter（⌘+Enter）运行查询。";
    ShowingOf: "showing {0} of {1} rows", "显示 {1} 行中的 {0} 行";
    QueryTime: "{0} ms", "{0} 毫秒";
    NoResultYet: "Run a query to see its result here.", "运行查询后，结果将显示在这里。";
    EmptyResult: "The query returned no rows.", "查询没有返回任何行。";
    Null: "NULL", "NULL";
    Dismiss: "Dismiss", "关闭";
    ErrNetwork: "Could not reach the Quiver server.", "无法连接到 Quiver 服务器。";
    ErrHttp: "The server answered with an error (HTTP {0}).", "服务器返回了错误（HTTP {0}）。";
    ErrBadBody: "The server's answer could not be read.", "无法读取服务器的响应。";
    ErrTokenExpired: "Your sign-in link has expired.", "您的登录链接已过期。";
    ErrTokenInvalid: "Your sign-in link is not valid.", "您的登录链接无效。";
    ErrTokenMissing: "You are not signed in.", "您尚未登录。";
    ErrDecode: "A partition of {0} could not be decoded.", "无法解码 {0} 的一个分区。";
    ErrSql: "The query failed.", "查询失败。";
    ErrEngine: "The query engine failed.", "查询引擎出错。";
    Incident: "incident {0}", "事件编号 {0}";
    // Pivot builder
    TabExplore: "Explore", "探索";
    TabPivot: "Pivot", "透视";
    PivotTableLabel: "Table", "数据表";
    FieldSearch: "Search fields", "搜索字段";
    GroupDimensions: "Dimensions", "维度";
    GroupMeasures: "Measures", "度量";
    GroupTime: "Time", "时间";
    GroupKeys: "Keys", "键";
    NoFields: "No field matches.", "没有匹配的字段。";
    ShelfRows: "Rows", "行";
    ShelfColumns: "Columns", "列";
    ShelfValues: "Values", "值";
    ShelfFilters: "Filters", "筛选";
    DropHere: "Drop fields here", "将字段拖到这里";
    FieldMenu: "Field menu", "字段菜单";
    AddToRows: "Add to rows", "添加到行";
    AddToColumns: "Add to columns", "添加到列";
    AddToValues: "Add to values", "添加到值";
    AddToFilters: "Add to filters", "添加到筛选";
    MoveLeft: "Move left (Alt+←)", "左移（Alt+←）";
    MoveRight: "Move right (Alt+→)", "右移（Alt+→）";
    MoveToRows: "Move to rows", "移到行";
    MoveToColumns: "Move to columns", "移到列";
    MoveToValues: "Move to values", "移到值";
    MoveToFilters: "Move to filters", "移到筛选";
    RemoveChip: "Remove (Delete)", "移除（Delete）";
    CountOfRows: "count of rows", "行数";
    AggCount: "count", "计数";
    AggCountDistinct: "count distinct", "去重计数";
    AggSum: "sum", "求和";
    AggAvg: "average", "平均值";
    AggMin: "min", "最小值";
    AggMax: "max", "最大值";
    AggMedian: "median", "中位数";
    AggP90: "90th percentile", "第 90 百分位数";
    ShowAsValue: "value", "原值";
    ShowAsTotal: "% of total", "占总计百分比";
    ShowAsRow: "% of row", "占行百分比";
    ShowAsColumn: "% of column", "占列百分比";
    GrainHour: "hour", "小时";
    GrainDay: "day", "天";
    GrainWeek: "week", "周";
    GrainMonth: "month", "月";
    GrainQuarter: "quarter", "季度";
    GrainYear: "year", "年";
    FilterIn: "is one of", "属于";
    FilterNotIn: "is none of", "不属于";
    FilterRange: "between", "介于";
    FilterContains: "contains", "包含";
    FilterIsNull: "is empty", "为空";
    FilterIsNotNull: "is not empty", "不为空";
    FilterMin: "Min", "最小值";
    FilterMax: "Max", "最大值";
    FilterText: "Text", "文本";
    SearchValues: "Search values", "搜索值";
    ValuesNeedData: "The values appear once the data is loaded.", "数据加载后即可看到可选值。";
    DateRangeLabel: "Date range", "日期范围";
    AllDates: "All dates", "全部日期";
    SortLabel: "Sort", "排序";
    SortByLabelAsc: "Label, A to Z", "按标签升序";
    SortByLabelDesc: "Label, Z to A", "按标签降序";
    SortByValueAsc: "{0}, smallest first", "{0}，从小到大";
    SortByValueDesc: "{0}, largest first", "{0}，从大到小";
    TopNLabel: "Top N", "前 N 项";
    TopNOther: "Fold the rest into Other", "其余合并为“其他”";
    ViewTable: "Table", "表格";
    ViewBar: "Bar", "柱状图";
    ViewStackedBar: "Stacked bar", "堆叠柱状图";
    ViewLine: "Line", "折线图";
    ViewArea: "Area", "面积图";
    ViewHeatmap: "Heatmap", "热力图";
    ViewScatter: "Scatter", "散点图";
    ViewChart: "Chart", "图表";
    ColorScale: "Colour scale", "色阶";
    ExportCsv: "Export CSV", "导出 CSV";
    ExportParquet: "Export Parquet", "导出 Parquet";
    CopyTsv: "Copy as TSV", "复制为 TSV";
    Copied: "Copied to the clipboard.", "已复制到剪贴板。";
    PivotIdle: "Drag fields onto Rows, Columns and Values to build a pivot.", "将字段拖到行、列和值上以构建透视表。";
    PivotLoading: "Loading the data…", "正在加载数据…";
    PivotRunning: "Running…", "运行中…";
    PivotNoData: "No data in this date range.", "此日期范围内没有数据。";
    PivotFailed: "The pivot could not be shown.", "无法显示透视表。";
    RunAgain: "Run again", "重新运行";
    ErrSpec: "The pivot settings are not valid.", "透视设置无效。";
    ErrShape: "The pivot result could not be laid out.", "无法排布透视结果。";
    ErrExport: "The export failed.", "导出失败。";
    // Pivot results and charts
    PivotTotal: "Total", "总计";
    PivotNull: "(null)", "（空值）";
    PivotOther: "Other", "其他";
    PivotExpand: "Expand", "展开";
    PivotCollapse: "Collapse", "折叠";
    ChartNoData: "No data", "没有数据";
    ChartTruncated: "showing {0} of {1} categories, {2} of {3} series", "显示 {1} 个类别中的 {0} 个，{3} 个系列中的 {2} 个";
    ChartScatterNeedsTwo: "A scatter plot needs two values", "散点图需要两个值";
}

/// Replaces `{0}`, `{1}`, … in `template` with `args`.
pub(crate) fn fill(template: &str, args: &[&str]) -> String {
    let mut out = template.to_owned();
    for (i, arg) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), arg);
    }
    out
}

/// The reactive locale, shared through the Leptos context.
#[derive(Clone, Copy, Debug)]
pub(crate) struct I18n {
    /// The locale the UI is shown in.
    pub(crate) locale: RwSignal<Locale>,
}

impl I18n {
    /// Creates the locale signal.
    pub(crate) fn new(locale: Locale) -> Self {
        Self { locale: RwSignal::new(locale) }
    }

    /// The text of `msg` in the current locale; reactive when read inside a view closure.
    pub(crate) fn t(self, msg: Msg) -> &'static str {
        msg.text(self.locale.get())
    }

    /// Like [`I18n::t`] with placeholders filled in.
    pub(crate) fn f(self, msg: Msg, args: &[&str]) -> String {
        fill(self.t(msg), args)
    }
}

/// The locale context, for views.
pub(crate) fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A reactive text node for `msg`, for use directly in `view!`.
pub(crate) fn tr(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn placeholders(text: &str) -> Vec<usize> {
        (0..10).filter(|i| text.contains(&format!("{{{i}}}"))).collect()
    }

    /// A translation that drops or invents a placeholder shows a raw `{1}` or loses a number.
    #[wasm_bindgen_test]
    fn every_string_has_both_languages_with_the_same_placeholders() {
        for &msg in Msg::ALL {
            let (en, zh) = (msg.text(Locale::En), msg.text(Locale::ZhCn));
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{msg:?} is missing a translation");
            assert_eq!(placeholders(en), placeholders(zh), "{msg:?}: {en:?} vs {zh:?}");
        }
    }

    #[wasm_bindgen_test]
    fn browser_languages_map_to_a_supported_locale() {
        for (tag, expected) in [
            ("zh-CN", Locale::ZhCn),
            ("zh", Locale::ZhCn),
            ("zh-Hans-SG", Locale::ZhCn),
            ("ZH-cn", Locale::ZhCn),
            ("en-US", Locale::En),
            ("fr-FR", Locale::En),
            ("", Locale::En),
        ] {
            assert_eq!(Locale::from_tag(tag), expected, "{tag}");
        }
        assert_eq!(Locale::from_stored("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_stored("zh"), None, "only tags the switcher stores");
    }

    #[wasm_bindgen_test]
    fn placeholders_are_filled_by_position_whatever_their_order() {
        assert_eq!(fill(Msg::ShowingOf.text(Locale::En), &["1,000", "5,000"]), "showing 1,000 of 5,000 rows");
        assert_eq!(fill(Msg::ShowingOf.text(Locale::ZhCn), &["1,000", "5,000"]), "显示 5,000 行中的 1,000 行");
    }
}
