// Draw every chart on the page: <div data-echarts="ID"> reads its ECharts option from <script id="ID" type="application/json">.
(function () {
  function draw(root) {
    root.querySelectorAll("[data-echarts]").forEach(function (element) {
      if (element.dataset.drawn) return;
      var source = document.getElementById(element.dataset.echarts);
      if (!source || !window.echarts) return;
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(JSON.parse(source.textContent));
      element.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
